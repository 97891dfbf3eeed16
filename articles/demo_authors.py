"""Demo portraits for the demo authors (``settings.DEMO_SEEDERS``, after ``articles.demo.seed``).

Each author of ``demo_content.AUTHORS`` gets a drawn head-and-shoulders portrait, made with Pillow for this
project, taken in like an upload (``images.process_upload``, ``images.build_renditions``) and kept in the image
library under the caption "Портрет: <name>". Idempotent: an author who has their portrait is left alone, and
an author's photo chosen by an editor (another image) is never replaced.
"""

import io
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw

from .demo_content import AUTHORS
from .images import build_renditions, process_upload
from .models import Author, Image

PORTRAIT_SIZE = 640
CREDIT = "Вестник"
BACKGROUNDS = [(36, 74, 110), (112, 44, 58), (40, 96, 76), (92, 70, 130), (150, 96, 40)]
SKIN = [(241, 206, 178), (224, 180, 146), (198, 150, 116), (236, 196, 164)]
HAIR = [(46, 32, 26), (92, 60, 36), (28, 28, 30), (150, 110, 70), (120, 120, 124)]
CLOTHES = [(30, 36, 48), (220, 220, 214), (70, 40, 40), (40, 70, 110), (90, 90, 84)]


def caption(name: str) -> str:
    return f"Портрет: {name}"


def seed(*, stdout) -> None:
    """Give every demo author without a photo their drawn portrait."""
    authors = [a for a in Author.objects.filter(slug__in=list(AUTHORS)).select_related("photo") if a.photo is None]
    existing = {i.caption: i for i in Image.objects.filter(caption__in=[caption(a.name) for a in authors])}
    made = []
    try:
        with transaction.atomic():
            for author in authors:
                image = existing.get(caption(author.name))
                if image is None:
                    image = _store_portrait(author)
                    made.append(image)
                author.photo = image
                author.save(update_fields=["photo"])
    except BaseException:
        for image in made:
            _delete_files(image)
        raise
    stdout.write(f"articles.demo_authors: {len(authors)} author photos set ({len(made)} portraits drawn).")


def reset(*, stdout) -> None:
    """Delete the drawn portraits (the authors keep no photo)."""
    with transaction.atomic():
        images = list(Image.objects.filter(caption__in=[caption(name) for name, _ in AUTHORS.values()]))
        Image.objects.filter(pk__in=[i.pk for i in images]).delete()
        transaction.on_commit(lambda: [_delete_files(i) for i in images])
    stdout.write(f"articles.demo_authors: removed {len(images)} portraits.")


def draw_portrait(seed: str) -> PILImage.Image:
    """A flat head-and-shoulders figure on a coloured ground; ``seed`` picks the colours and hair."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    size = PORTRAIT_SIZE
    background, skin, hair, clothes = (rng.choice(c) for c in (BACKGROUNDS, SKIN, HAIR, CLOTHES))
    picture = PILImage.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(picture)
    cx = size // 2
    # Shoulders, neck, hair behind the head, head, and hair on top.
    draw.ellipse((cx - 250, 470, cx + 250, 900), fill=clothes)
    draw.rectangle((cx - 45, 380, cx + 45, 490), fill=skin)
    long_hair = rng.random() < 0.5
    if long_hair:
        draw.rounded_rectangle((cx - 150, 150, cx + 150, 470), radius=120, fill=hair)
    draw.ellipse((cx - 120, 160, cx + 120, 440), fill=skin)
    draw.chord((cx - 130, 140, cx + 130, 340), 180, 360, fill=hair)
    # Eyes and a smile, small enough to read as a sketch.
    for dx in (-48, 48):
        draw.ellipse((cx + dx - 10, 285, cx + dx + 10, 305), fill=(40, 32, 30))
    draw.arc((cx - 45, 320, cx + 45, 385), 20, 160, fill=(140, 60, 60), width=6)
    return picture


def _store_portrait(author) -> Image:
    buf = io.BytesIO()
    draw_portrait(author.slug).save(buf, "PNG")
    processed = process_upload(ContentFile(buf.getvalue(), name=f"{author.slug}.png"))
    name = default_storage.save(
        Image._meta.get_field("file").generate_filename(None, processed.content.name), processed.content
    )
    image = Image(
        file=name,
        width=processed.width,
        height=processed.height,
        caption=caption(author.name),
        credit=CREDIT,
        alt_text=author.name,
    )
    try:
        image.renditions = build_renditions(name, processed.width)
        image.save()
    except BaseException:
        default_storage.delete(name)
        raise
    return image


def _delete_files(image: Image) -> None:
    for name in [image.file.name, *image.renditions.values()]:
        default_storage.delete(name)
