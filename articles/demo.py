"""Demo content for a fresh portal, loaded by ``manage.py seed_demo`` (see ``settings.DEMO_SEEDERS``).

Idempotent: sections, tags, sources, authors and articles are keyed on their slugs, images on their caption. A
second run finds everything in place and writes nothing. Publishing times are set when an article is first created
(spread over the 30 days before that moment) and kept afterwards, so addresses stay stable; ``seed_demo --reset``
starts over with fresh dates. Lead images are drawn with Pillow and go through the same intake as uploads
(``images.process_upload`` and ``images.build_renditions``); they are drawn only when missing.
"""

import html
import io
import math
import os
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from functools import cache

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageOps

from .demo_content import AUTHORS, DESKS, IMAGES, PAGES, SECTIONS, SOURCES, STORIES, Story
from .images import build_renditions, process_upload
from .models import Article, Author, Image, Section, Source, Status, Tag
from .sanitize import clean_body
from .translit import slugify_bg

IMAGE_SIZE = (1200, 800)
SCHEDULED_AHEAD = timedelta(days=2)
SPREAD_DAYS = 29  # the oldest story ran this many days before today
# Plausible publishing times, Sofia time.
SLOTS = [(7, 45), (9, 20), (10, 55), (12, 30), (14, 32), (15, 50), (17, 15), (18, 40), (20, 5), (21, 35)]


def seed(*, stdout) -> None:
    """Create whatever demo content is missing and bring changed demo rows back in line."""
    now = timezone.now()
    rendered = _render_missing_images()
    try:
        with transaction.atomic():
            images = _sync_images(rendered)
            sections, _ = _sync_rows(
                Section,
                {slug: {"name": name, "position": pos, "description": d} for slug, (name, pos, d) in SECTIONS.items()},
            )
            tags, _ = _sync_rows(Tag, {slugify_bg(name): {"name": name} for name in tag_names()})
            sources, _ = _sync_rows(
                Source,
                {
                    slug: {"name": name, "short_name": short, "url": url, "attribution": phrase}
                    for slug, (name, short, url, phrase) in SOURCES.items()
                },
            )
            authors, _ = _sync_rows(Author, {slug: {"name": name, "bio": bio} for slug, (name, bio) in AUTHORS.items()})
            articles, article_changes = _sync_articles(now, sections=sections, sources=sources, images=images)
            link_changes = _sync_links(articles, tags=tags, authors=authors)
            pages, _ = _sync_rows(
                site_page_model(),
                {slug: {"title": t, "position": pos, "body": clean_body(b)} for slug, (t, pos, b) in PAGES.items()},
            )
    except BaseException:
        for item in rendered.values():
            _delete_files(item)
        raise
    stdout.write(
        f"articles.demo: {len(sections)} sections, {len(tags)} tags, {len(sources)} sources, {len(authors)} authors, "
        f"{len(images)} images ({len(rendered)} drawn), {len(articles)} articles "
        f"({article_changes['created']} created, {article_changes['updated']} updated, {link_changes} links changed), "
        f"{len(pages)} site pages."
    )


def reset(*, stdout) -> None:
    """Delete the demo articles and images, and the demo sections, tags, sources and authors nothing else uses."""
    with transaction.atomic():
        _, deleted = Article.objects.filter(slug__in=[story_slug(s) for s in STORIES]).delete()
        site_page_model().objects.filter(slug__in=list(PAGES)).delete()
        images = list(Image.objects.filter(caption__in=[caption for _, caption, _ in IMAGES.values()]))
        Image.objects.filter(pk__in=[i.pk for i in images]).delete()
        for model, slugs in (
            (Tag, [slugify_bg(name) for name in tag_names()]),
            (Author, list(AUTHORS)),
            (Source, list(SOURCES)),
            (Section, list(SECTIONS)),
        ):
            model.objects.filter(slug__in=slugs, articles__isnull=True).delete()
        files = [{"file": i.file.name, "renditions": i.renditions} for i in images]
        transaction.on_commit(lambda: [_delete_files(f) for f in files])
    stdout.write(f"articles.demo: removed {deleted.get('articles.Article', 0)} articles and {len(images)} images.")


# --- Content -----------------------------------------------------------------------------------------------------


def site_page_model():
    """The pages app's Page (За нас, Контакти, ...), looked up by name: articles does not import that app."""
    return apps.get_model("pages", "Page")


def story_slug(story: Story) -> str:
    return slugify_bg(story.title)


def tag_names() -> list[str]:
    """Every tag the stories use, in order of first use."""
    return list(dict.fromkeys(name for story in STORIES for name in story.tags))


ATTRIBUTIONS = (
    "Това заяви {name}, {role}.",
    "Така коментира {name}, {role}.",
    "Това каза пред журналисти {name}, {role}.",
    "Думите са на {name}, {role}.",
)
OWN_WORDS = ("Това каза пред журналисти {name}.", "Така коментира представянето си {name}.")
OUTLOOK_HEADINGS = ("Какво следва", "Какво предстои", "Следващите стъпки")
SIGN_OFF = "„Вестник“ ще следи развитието на темата."
SIGNED_OFF_SECTIONS = {"bulgaria", "svyat", "ikonomika", "tehnologii"}


def story_body(story: Story, index: int) -> str:
    """The article HTML: facts, the quotation and who said it, the key points, what comes next."""
    e = lambda text: html.escape(text, quote=False)  # noqa: E731
    name, role, words = story.quote
    said = (ATTRIBUTIONS[index % len(ATTRIBUTIONS)] if role else OWN_WORDS[index % len(OWN_WORDS)]).format(
        name=name, role=role
    )
    parts = [f"<p>{e(story.facts)}</p>", f"<blockquote><p>„{e(words)}“</p></blockquote>", f"<p>{e(said)}</p>"]
    if story.points:
        heading, items = story.points
        parts.append(f"<h2>{e(heading)}</h2>")
        parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul>")
    parts.append(f"<h2>{OUTLOOK_HEADINGS[index % len(OUTLOOK_HEADINGS)]}</h2>")
    parts.append(f"<p>{e(story.outlook)}</p>")
    if story.section in SIGNED_OFF_SECTIONS and index % 3 == 0:
        parts.append(f"<p>{SIGN_OFF}</p>")
    return "\n".join(parts)


def timeline(now: datetime) -> dict[str, datetime]:
    """Publishing times by story slug: published stories spread over the last 30 days, sections interleaved."""
    tz = timezone.get_default_timezone()
    by_section = defaultdict(list)
    for story in STORIES:
        if story.state == "published":
            by_section[story.section].append(story)
    # Round-robin over the sections so that every day mixes them; the first story of each section is the newest.
    queues = list(by_section.values())
    ordered = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
    # Every plausible publishing moment of the last SPREAD_DAYS days that has passed, newest first; the stories
    # take evenly spaced ones, so the first story in the list is the newest and days hold one or two stories.
    today = timezone.localtime(now, tz).date()
    moments = [
        moment
        for day in range(SPREAD_DAYS + 1)
        for hour, minute in reversed(SLOTS)
        if (moment := datetime.combine(today - timedelta(days=day), time(hour, minute), tzinfo=tz))
        <= now - timedelta(minutes=15)
    ]
    step = (len(moments) - 1) / (len(ordered) - 1)
    return {
        story_slug(story): moments[round(k * step)] - timedelta(minutes=(k * 7) % 13) for k, story in enumerate(ordered)
    }


# --- Rows --------------------------------------------------------------------------------------------------------


def _sync_rows(model, rows: dict[str, dict], *, on_create: dict[str, dict] | None = None):
    """Rows of ``model`` keyed on slug, created or updated to hold ``rows``; and how many were created/updated."""
    existing = model.objects.in_bulk(list(rows), field_name="slug")
    result, changes = {}, {"created": 0, "updated": 0}
    for slug, values in rows.items():
        obj = existing.get(slug)
        if obj is None:
            obj = model(slug=slug, **values, **(on_create or {}).get(slug, {}))
            obj.save()
            changes["created"] += 1
        else:
            changed = [field for field, value in values.items() if getattr(obj, field) != value]
            if changed:
                for field in changed:
                    setattr(obj, field, values[field])
                obj.save(update_fields=changed)
                changes["updated"] += 1
        result[slug] = obj
    return result, changes


def _sync_articles(now, *, sections, sources, images):
    times = timeline(now)
    rows, on_create = {}, {}
    for index, story in enumerate(STORIES):
        slug = story_slug(story)
        rows[slug] = {
            "title": story.title,
            "lead": story.lead,
            "body": clean_body(story_body(story, index)),
            "section_id": sections[story.section].pk,
            "source_id": sources[story.source].pk if story.source else None,
            "source_url": story.source_url,
            "lead_image_id": images[story.image].pk,
            "status": Status.DRAFT if story.state == "draft" else Status.PUBLISHED,
            "is_featured": story.featured,
        }
        published_at = times.get(slug)
        if story.state == "scheduled":
            published_at = _scheduled_time(now)
        updated_at = None
        if published_at and story.updated_after:
            updated_at = min(published_at + timedelta(minutes=story.updated_after), now - timedelta(minutes=1))
            updated_at = updated_at if updated_at > published_at else None
        on_create[slug] = {"published_at": published_at, "content_updated_at": updated_at}
    articles, changes = _sync_rows(Article, rows, on_create=on_create)
    for story in STORIES:
        article = articles[story_slug(story)]
        if story.state == "scheduled" and not article.is_scheduled:
            # Its time came since the first run: keep one story waiting, as the demo promises.
            article.published_at = _scheduled_time(now)
            article.save(update_fields=["published_at"])
            changes["updated"] += 1
    return {story.key or story_slug(story): articles[story_slug(story)] for story in STORIES}, changes


def _scheduled_time(now: datetime) -> datetime:
    return (now + SCHEDULED_AHEAD).replace(second=0, microsecond=0)


def _sync_links(articles: dict[str, Article], *, tags, authors) -> int:
    """Tags, authors and pinned related articles of every story, exactly as written; returns links added/removed."""
    keyed = {story.key or story_slug(story): story for story in STORIES}
    wanted = {"tags": {}, "authors": {}, "pinned_related": {}}
    for key, story in keyed.items():
        pk = articles[key].pk
        wanted["tags"][pk] = {tags[slugify_bg(name)].pk for name in story.tags}
        wanted["authors"][pk] = {authors[slug].pk for slug in story.authors or DESKS[story.section]}
        if story.pins:
            wanted["pinned_related"][pk] = {articles[pin].pk for pin in story.pins}
    return sum(_sync_m2m(Article._meta.get_field(name), links) for name, links in wanted.items())


def _sync_m2m(field, wanted: dict[int, set[int]]) -> int:
    """Make the link table of ``field`` hold exactly ``wanted`` for the articles it names."""
    through = field.remote_field.through
    left, right = field.m2m_column_name(), field.m2m_reverse_name()
    have = defaultdict(set)
    for a, b in through.objects.filter(**{f"{left}__in": list(wanted)}).values_list(left, right):
        have[a].add(b)
    add = [through(**{left: a, right: b}) for a, targets in wanted.items() for b in sorted(targets - have[a])]
    through.objects.bulk_create(add)
    removed = 0
    for a, targets in have.items():
        extra = targets - wanted[a]
        if extra:
            removed += through.objects.filter(**{left: a, f"{right}__in": extra}).delete()[0]
    return len(add) + removed


# --- Images ------------------------------------------------------------------------------------------------------


def _image_rows() -> dict[str, Image]:
    """The stored demo images by key (the oldest row for each caption)."""
    keys = {caption: key for key, (_, caption, _) in IMAGES.items()}
    rows = {}
    for image in Image.objects.filter(caption__in=list(keys)).order_by("-pk"):
        rows[keys[image.caption]] = image
    return rows


def _render_missing_images() -> dict[str, dict]:
    """Draw and store the demo images that have no row yet or lost their files; fields by key."""
    rows = _image_rows()
    missing = [
        key
        for key in IMAGES
        if key not in rows
        or not rows[key].renditions
        or not all(default_storage.exists(n) for n in [rows[key].file.name, *rows[key].renditions.values()])
    ]
    stored = {key: _store_original(key) for key in missing}
    # WebP encoding releases the GIL, so renditions build in parallel; the intake above stays on this thread
    # (process_upload adjusts the process-wide warning filters).
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        renditions = dict(
            zip(
                stored,
                pool.map(lambda item: build_renditions(item["file"], item["width"]), stored.values()),
                strict=True,
            )
        )
    return {key: {**item, "renditions": renditions[key]} for key, item in stored.items()}


def _sync_images(rendered: dict[str, dict]) -> dict[str, Image]:
    rows = _image_rows()
    for key, (section, caption, credit) in IMAGES.items():
        values = {"caption": caption, "credit": credit, "alt_text": ALT_TEXT[section], **rendered.get(key, {})}
        image = rows.get(key)
        if image is None:
            rows[key] = Image.objects.create(**values)
            continue
        changed = [field for field, value in values.items() if getattr(image, field) != value]
        if changed:
            for field in changed:
                setattr(image, field, values[field])
            image.save(update_fields=changed)
    return rows


def _store_original(key: str) -> dict:
    """Draw the picture for ``key`` and take it in like an upload; renditions come separately."""
    buf = io.BytesIO()
    draw_picture(IMAGES[key][0], key).save(buf, "JPEG", quality=90)
    processed = process_upload(ContentFile(buf.getvalue(), name=f"{key}.jpg"))
    name = default_storage.save(
        Image._meta.get_field("file").generate_filename(None, processed.content.name), processed.content
    )
    return {"file": name, "width": processed.width, "height": processed.height}


def _delete_files(item: dict) -> None:
    for name in [item["file"], *item["renditions"].values()]:
        default_storage.delete(name)


# section: (dark, light, accent)
PALETTES = {
    "bulgaria": ((92, 18, 38), (232, 116, 64), (255, 222, 160)),
    "svyat": ((12, 30, 72), (60, 132, 204), (196, 228, 255)),
    "ikonomika": ((6, 58, 62), (38, 156, 136), (214, 246, 222)),
    "sport": ((14, 64, 32), (116, 186, 64), (246, 250, 206)),
    "kultura": ((56, 16, 78), (186, 68, 148), (255, 212, 236)),
    "tehnologii": ((8, 14, 32), (22, 146, 188), (156, 240, 255)),
}
ALT_TEXT = {
    "bulgaria": "Илюстрация: слънце над планински хълмове в червени и оранжеви тонове",
    "svyat": "Илюстрация: стилизиран глобус с меридиани и паралели върху синьо небе",
    "ikonomika": "Илюстрация: стълбовидна диаграма с възходяща линия в зелено-сини тонове",
    "sport": "Илюстрация: топка и очертания на писта върху зелен фон с диагонални ивици",
    "kultura": "Илюстрация: лъчи на прожектори над сцена в лилаво и розово",
    "tehnologii": "Илюстрация: линии на печатна платка и мрежа от точки в тъмносиньо и циан",
}
W, H = 1200, 800  # the drawing's own coordinates; the result is scaled to IMAGE_SIZE


def draw_picture(section: str, seed: str) -> PILImage.Image:
    """A gradient in the section's colours with the section's motif; ``seed`` varies the composition."""
    dark, light, accent = PALETTES[section]
    rng = random.Random(f"{section}:{seed}")  # noqa: S311 - a picture, not a secret
    mask = _diagonal(mirrored=rng.random() < 0.5)
    picture = PILImage.composite(PILImage.new("RGB", (W, H), dark), PILImage.new("RGB", (W, H), light), mask)
    # A soft glow of the accent colour somewhere in the upper half.
    size = rng.randint(700, 1000)
    # radial_gradient is 0 in the centre and reaches 180 at the middle of each side: fade out before that.
    glow = PILImage.radial_gradient("L").resize((size, size)).point(lambda v: int(120 * max(0, 1 - v / 176) ** 2))
    picture.paste(PILImage.new("RGB", (size, size), accent), (rng.randint(-200, W - 500), rng.randint(-400, 0)), glow)
    overlay = PILImage.new("RGBA", (W, H), (0, 0, 0, 0))
    MOTIFS[section](ImageDraw.Draw(overlay), rng, dark, light, accent)
    picture = PILImage.alpha_composite(picture.convert("RGBA"), overlay).convert("RGB")
    return picture if picture.size == IMAGE_SIZE else picture.resize(IMAGE_SIZE, PILImage.Resampling.LANCZOS)


@cache
def _diagonal(*, mirrored: bool) -> PILImage.Image:
    vertical = PILImage.linear_gradient("L").resize((W, H))
    horizontal = vertical.transpose(PILImage.Transpose.ROTATE_90).resize((W, H))
    mask = PILImage.blend(vertical, horizontal, 0.5)
    return ImageOps.mirror(mask) if mirrored else mask


def _mix(a, b, t: float, alpha: int = 255):
    return (*(round(x + (y - x) * t) for x, y in zip(a, b, strict=True)), alpha)


def _hills(draw, rng, dark, light, accent):
    cx, cy, r = rng.randint(650, 1000), rng.randint(170, 280), rng.randint(80, 120)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 235))
    for i in range(4):
        base, amp = 420 + i * 95, rng.randint(35, 70)
        f1, f2, p1, p2 = rng.uniform(0.004, 0.008), rng.uniform(0.01, 0.02), rng.uniform(0, 6), rng.uniform(0, 6)
        ridge = [
            (x, base + amp * math.sin(x * f1 + p1) + amp / 3 * math.sin(x * f2 + p2)) for x in range(0, W + 20, 20)
        ]
        draw.polygon([(0, H), *ridge, (W, H)], fill=_mix(light, dark, 0.35 + i * 0.2))


def _globe(draw, rng, dark, light, accent):
    cx, cy, r = rng.randint(700, 880), rng.randint(380, 430), rng.randint(280, 330)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*light, 70), outline=(*accent, 210), width=5)
    for k in (0.2, 0.5, 0.8):
        draw.ellipse((cx - r * k, cy - r, cx + r * k, cy + r), outline=(*accent, 120), width=3)
    for s in (-0.66, -0.33, 0, 0.33, 0.66):
        dy = r * s
        dx = math.sqrt(r * r - dy * dy)
        draw.line((cx - dx, cy + dy, cx + dx, cy + dy), fill=(*accent, 110), width=3)
    for _ in range(7):
        a, d = rng.uniform(0, 2 * math.pi), rng.uniform(0, r * 0.85)
        x, y = cx + d * math.cos(a), cy + d * math.sin(a)
        draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=(*accent, 230))
    draw.arc((cx - r * 1.5, cy - r * 0.5, cx + r * 1.5, cy + r * 0.5), 200, 340, fill=(*accent, 150), width=4)


def _bars(draw, rng, dark, light, accent):
    for y in range(160, 740, 80):
        draw.line((80, y, W - 80, y), fill=(*accent, 35), width=2)
    height, tops = rng.randint(120, 180), []
    for i in range(9):
        x = 110 + i * 115
        height = min(560, max(90, height + rng.randint(-30, 90)))
        draw.rectangle((x, 720 - height, x + 70, 720), fill=(*light, 120))
        draw.rectangle((x, 720 - height, x + 70, 720 - height + 10), fill=(*accent, 230))
        tops.append((x + 35, 720 - height - 40))
    draw.line(tops, fill=(*accent, 230), width=7, joint="curve")
    for x, y in tops:
        draw.ellipse((x - 10, y - 10, x + 10, y + 10), fill=(*dark, 255), outline=(*accent, 255), width=4)


def _pitch(draw, rng, dark, light, accent):
    for i in range(-4, 12):
        x = i * 170
        draw.polygon([(x, H), (x + 70, H), (x + 70 + 500, 0), (x + 500, 0)], fill=(*accent, 26))
    ox, oy = rng.randint(150, 400), rng.randint(900, 1000)
    for i in range(5):
        rx, ry = 560 + i * 48, 380 + i * 48
        draw.ellipse((ox - rx, oy - ry, ox + rx, oy + ry), outline=(*light, 110), width=4)
    cx, cy, r = rng.randint(760, 980), rng.randint(220, 380), rng.randint(70, 95)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 240))
    # A football: a pentagon in the middle with seams running out to the edge.
    turn = rng.uniform(0, 2 * math.pi / 5)
    corners = [(turn + k * 2 * math.pi / 5) for k in range(5)]
    draw.polygon([(cx + r * 0.38 * math.cos(a), cy + r * 0.38 * math.sin(a)) for a in corners], fill=(*dark, 230))
    for a in corners:
        inner = (cx + r * 0.38 * math.cos(a), cy + r * 0.38 * math.sin(a))
        draw.line((*inner, cx + r * 0.97 * math.cos(a), cy + r * 0.97 * math.sin(a)), fill=(*dark, 200), width=5)


def _stage(draw, rng, dark, light, accent):
    for _ in range(3):
        top, spot = rng.randint(150, W - 150), rng.randint(250, W - 250)
        draw.polygon([(top - 12, 0), (top + 12, 0), (spot + 170, 640), (spot - 170, 640)], fill=(*accent, 42))
        draw.ellipse((spot - 170, 610, spot + 170, 670), fill=(*accent, 70))
    for i in range(6):
        r = 260 + i * 70
        draw.arc((W / 2 - r, 700 - r / 2.5, W / 2 + r, 700 + r / 2.5), 180, 360, fill=(*light, 110), width=4)
    draw.rectangle((0, 700, W, H), fill=_mix(dark, (0, 0, 0), 0.3))


def _circuit(draw, rng, dark, light, accent):
    step = 40
    for x in range(step, W, step):
        for y in range(step, H, step):
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=(*accent, 60))
    for _ in range(12):
        x, y = rng.randrange(1, W // step - 8) * step, rng.randrange(2, H // step - 2) * step
        points = [(x, y)]
        x += rng.randint(2, 6) * step
        points.append((x, y))
        y = min(H - step, max(step, y + rng.choice((-1, 1)) * rng.randint(1, 4) * step))
        points.append((x, y))
        x = min(W - step, x + rng.randint(2, 6) * step)
        points.append((x, y))
        draw.line(points, fill=(*accent, 170), width=4, joint="curve")
        for px, py in (points[0], points[-1]):
            draw.ellipse((px - 9, py - 9, px + 9, py + 9), fill=(*dark, 255), outline=(*accent, 230), width=4)
    cx, cy = rng.randint(400, 800), rng.randint(250, 550)
    draw.rounded_rectangle(
        (cx - 90, cy - 90, cx + 90, cy + 90), radius=18, fill=(*dark, 230), outline=(*accent, 230), width=5
    )


MOTIFS = {
    "bulgaria": _hills,
    "svyat": _globe,
    "ikonomika": _bars,
    "sport": _pitch,
    "kultura": _stage,
    "tehnologii": _circuit,
}
