"""Demo content for live updates and corrections (docs/live-and-corrections.md), run by ``manage.py seed_demo``
after ``articles.demo`` (settings.DEMO_SEEDERS): a live story with five updates (one with a photo), a correction
on one demo story and an update note on another. Idempotent: the live story is keyed on its slug, notes on their
text. All text is written for this project.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .demo import story_slug
from .demo_content import IMAGES, STORIES
from .models import Article, ArticleNote, Author, Image, LiveUpdate, NoteKind, Section, Status

LIVE_SLUG = "burya-po-chernomorieto-na-zhivo"
LIVE_TITLE = "Бурята по Черноморието: пътища, пристанища и ток — на живо"
LIVE_LEAD = "Силен вятър и дъжд удариха крайбрежието от Шабла до Царево; следим развитието час по час."
LIVE_BODY = (
    "<p>Оранжев код за силен вятър е обявен за областите Варна, Бургас и Добрич. Пристанищата ограничават "
    "движението на кораби, а енергийните дружества съобщават за прекъсвания в десетки населени места.</p>"
    "<p>Тук събираме проверената информация от властите и от нашите репортери на място.</p>"
)
# Minutes before now, text, demo image key (or "").
UPDATES = [
    (190, "<p>Метеоролозите потвърждават пориви до <strong>90 км/ч</strong> по северното крайбрежие.</p>", ""),
    (150, "<p>Пристанище Варна спира приема на кораби до второ нареждане.</p>", "black-sea"),
    (95, "<p>Без ток са 14 села в община Аксаково; аварийни екипи са на терен.</p>", ""),
    (50, "<p>Пътят Варна — Бургас е затворен край Обзор заради паднали дървета. Обходът е през Айтос.</p>", ""),
    (12, "<p>Вятърът отслабва. Пристанище Бургас подновява работа от 18:00 ч.</p>", ""),
]
NOTES = [
    (
        0,
        NoteKind.CORRECTION,
        "В първоначалния текст бе посочена грешна дата на заседанието. Вярната дата е 12 декември.",
    ),
    (
        1,
        NoteKind.UPDATE,
        "Текстът е допълнен с позицията на министерството, получена след публикуването.",
    ),
]


def _image(key: str):
    caption = IMAGES[key][1] if key in IMAGES else ""
    return Image.objects.filter(caption=caption).order_by("pk").first() if caption else None


def seed(*, stdout) -> None:
    section = Section.objects.filter(slug="bulgaria").first()
    if section is None:
        stdout.write("articles.demo_live: skipped (run articles.demo first).")
        return
    now = timezone.now()
    with transaction.atomic():
        article = Article.objects.filter(slug=LIVE_SLUG).first()
        if article is None:
            article = Article.objects.create(
                slug=LIVE_SLUG,
                title=LIVE_TITLE,
                lead=LIVE_LEAD,
                body=LIVE_BODY,
                section=section,
                lead_image=_image("coast"),
                status=Status.PUBLISHED,
                published_at=now - timedelta(hours=4),
                is_live=True,
            )
            author = Author.objects.filter(slug="ralitsa-doncheva").first()
            if author is not None:
                article.authors.add(author)
        added = 0
        if not article.live_updates.exists():
            author = Author.objects.filter(slug="ralitsa-doncheva").first()
            for minutes, body, image in UPDATES:
                LiveUpdate.objects.create(
                    article=article,
                    published_at=now - timedelta(minutes=minutes),
                    body=body,
                    image=_image(image),
                    author=author,
                )
                added += 1
        stories = list(
            Article.objects.published()
            .filter(slug__in=[story_slug(s) for s in STORIES])
            .exclude(pk=article.pk)
            .order_by("published_at", "pk")[: len(NOTES)]
        )
        notes = 0
        for index, kind, text in NOTES:
            if index < len(stories) and not ArticleNote.objects.filter(text=text).exists():
                ArticleNote.objects.create(article=stories[index], kind=kind, text=text, published_at=now)
                notes += 1
    stdout.write(f"articles.demo_live: the live story at {article.get_absolute_url()}, {added} updates, {notes} notes.")


def reset(*, stdout) -> None:
    with transaction.atomic():
        _, deleted = Article.objects.filter(slug=LIVE_SLUG).delete()
        ArticleNote.objects.filter(text__in=[text for _i, _k, text in NOTES]).delete()
    stdout.write(f"articles.demo_live: removed {deleted.get('articles.Article', 0)} live story.")
