"""Demo of pictures in the text, a gallery and an embed (``manage.py seed_demo``, settings.DEMO_SEEDERS).

Two stories made for this project: a photo report with two pictures in the text and a gallery of five, and a
short story with a YouTube video pasted as an address. Pictures are drawn with Pillow (articles.demo.draw_picture)
and go through the same intake as uploads. Idempotent: articles keyed on their slugs, pictures on their captions.
"""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import demo
from .models import Article, BodyImage, GalleryImage, Image, Section, Status

SECTION = ("kultura", "Култура")
# key: (palette, caption, credit, alt text)
PICTURES = {
    "rose-field": (
        "kultura",
        "Розовите полета край Казанлък призори",
        "Вестник",
        "Илюстрация: розови полета под утринно небе в лилаво и розово",
    ),
    "rose-pickers": (
        "bulgaria",
        "Берачите започват още преди изгрев",
        "Вестник",
        "Илюстрация: хълмове в червени и оранжеви тонове под изгряващо слънце",
    ),
    "rose-still": ("ikonomika", "Казанът на дестилерията", "Вестник", "Илюстрация: стълбовидна диаграма в зелено"),
    "rose-stage": ("kultura", "Сцената на площада вечерта", "Вестник", "Илюстрация: прожектори над сцена"),
    "rose-crowd": ("sport", "Шествието по главната улица", "Вестник", "Илюстрация: диагонални ивици в зелено"),
    "rose-night": ("svyat", "Заря над града", "Вестник", "Илюстрация: стилизиран глобус върху нощно синьо небе"),
}
GALLERY = ["rose-field", "rose-pickers", "rose-stage", "rose-crowd", "rose-night"]
REPORT_SLUG = "fotoreportazh-rozobera-v-kazanlashko"
VIDEO_SLUG = "video-kak-se-vari-rozovo-maslo"
YOUTUBE_URL = "https://www.youtube.com/watch?v=M7lc1UVf-VE"

REPORT_BODY = (
    "<p>Розоберът в Казанлъшко започна тази седмица при хладно и влажно време, каквото берачите искат.</p>"
    "<p>Цветът се бере до десет часа сутринта, докато маслото в листенцата е най-много.</p>"
    "<h2>От полето до казана</h2>"
    "<p>Дестилериите работят денонощно: от три тона цвят се получава около килограм масло.</p>"
    "<p>Празникът в града завършва с шествие и заря в неделя вечерта.</p>"
)
VIDEO_BODY = (
    "<p>Как розовият цвят става масло, показва кратко видео, заснето в една от дестилериите.</p>"
    f'<p><a href="{YOUTUBE_URL}">{YOUTUBE_URL}</a></p>'
    "<p>Видеото се зарежда само ако го поискате.</p>"
)


def seed(*, stdout) -> None:
    """Create the two demo stories and their pictures if missing."""
    rendered = _render_missing()
    try:
        with transaction.atomic():
            images = _sync_images(rendered)
            section = Section.objects.filter(slug=SECTION[0]).first() or Section.objects.create(
                slug=SECTION[0], name=SECTION[1]
            )
            report = _article(
                REPORT_SLUG,
                title="Фоторепортаж: розоберът в Казанлъшко започна",
                lead="Берачите излизат по тъмно, а дестилериите работят денонощно.",
                body=REPORT_BODY,
                section=section,
                lead_image=images["rose-field"],
                hours_ago=3,
            )
            if not report.body_images.exists():
                BodyImage.objects.create(article=report, image=images["rose-pickers"], after_paragraph=2)
                BodyImage.objects.create(
                    article=report, image=images["rose-still"], after_paragraph=3, caption="Казанът се пълни с цвят"
                )
            if not report.gallery_images.exists():
                for position, key in enumerate(GALLERY):
                    GalleryImage.objects.create(article=report, image=images[key], position=position)
            _article(
                VIDEO_SLUG,
                title="Видео: как се вари розово масло",
                lead="Кратък филм от дестилерия в Розовата долина.",
                body=VIDEO_BODY,
                section=section,
                lead_image=images["rose-still"],
                hours_ago=2,
            )
    except BaseException:
        for item in rendered.values():
            demo._delete_files(item)
        raise
    stdout.write(f"articles.demo_body_media: 2 stories, {len(images)} pictures ({len(rendered)} drawn).")


def reset(*, stdout) -> None:
    """Delete the two demo stories and their pictures."""
    with transaction.atomic():
        Article.objects.filter(slug__in=[REPORT_SLUG, VIDEO_SLUG]).delete()
        images = list(Image.objects.filter(caption__in=[p[1] for p in PICTURES.values()]))
        Image.objects.filter(pk__in=[i.pk for i in images]).delete()
        files = [{"file": i.file.name, "renditions": i.renditions} for i in images]
        transaction.on_commit(lambda: [demo._delete_files(f) for f in files])
    stdout.write(f"articles.demo_body_media: removed the stories and {len(images)} pictures.")


def _article(slug, *, hours_ago, **values) -> Article:
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        article = Article.objects.create(
            slug=slug,
            status=Status.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=hours_ago),
            **values,
        )
    return article


def _rows() -> dict[str, Image]:
    keys = {caption: key for key, (_, caption, _, _) in PICTURES.items()}
    return {keys[i.caption]: i for i in Image.objects.filter(caption__in=list(keys)).order_by("-pk")}


def _render_missing() -> dict[str, dict]:
    rows = _rows()
    rendered = {}
    for key, (palette, *_rest) in PICTURES.items():
        if key in rows and rows[key].renditions:
            continue
        item = _store(palette, key)
        rendered[key] = {**item, "renditions": demo.build_renditions(item["file"], item["width"])}
    return rendered


def _store(palette: str, key: str) -> dict:
    buf = io.BytesIO()
    demo.draw_picture(palette, f"body-media:{key}").save(buf, "JPEG", quality=90)
    processed = demo.process_upload(ContentFile(buf.getvalue(), name=f"{key}.jpg"))
    name = default_storage.save(
        Image._meta.get_field("file").generate_filename(None, processed.content.name), processed.content
    )
    return {"file": name, "width": processed.width, "height": processed.height}


def _sync_images(rendered: dict[str, dict]) -> dict[str, Image]:
    rows = _rows()
    for key, (_, caption, credit, alt) in PICTURES.items():
        if key in rendered:
            if key in rows:
                for field, value in rendered[key].items():
                    setattr(rows[key], field, value)
                rows[key].save()
            else:
                rows[key] = Image.objects.create(caption=caption, credit=credit, alt_text=alt, **rendered[key])
    return rows
