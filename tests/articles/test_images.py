"""Image uploads through the admin: only real, bounded images, re-encoded, renamed, EXIF/GPS stripped."""

import io
import resource
import struct
import time
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from articles.images import process_upload
from articles.models import Image
from articles.roles import AUTHOR, EDITOR
from tests.factories import ArticleFactory, ImageFactory, newsroom_user, png_bytes

pytestmark = pytest.mark.django_db

ADD = "admin:articles_image_add"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 40, 30), **save_kwargs) -> bytes:
    buf = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save_kwargs.pop("alpha", False) else "RGB"
    PILImage.new(mode, size, color).save(buf, fmt, **save_kwargs)
    return buf.getvalue()


def jpeg_with_gps() -> bytes:
    exif = PILImage.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: rotate 90° clockwise to show upright
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (42.0, 41.0, 51.0), "E", (23.0, 19.0, 17.0)
    return image_bytes("JPEG", size=(64, 48), exif=exif.tobytes())


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int, rows: int = 64) -> bytes:
    """A small PNG whose header claims width × height (a decompression bomb's shape)."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    raw = zlib.compress(b"\x00" * ((width * 3 + 1) * rows), 9)
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", raw) + png_chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real small JPEG with its frame header rewritten to claim width × height."""
    data = bytearray(image_bytes("JPEG", size=(16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def editor_client(client):
    client.force_login(newsroom_user(EDITOR))
    return client


def post_image(client, name, data, **fields):
    payload = {"caption": "Надпис", "credit": "БГНЕС", "alt_text": "Описание", **fields}
    payload["file"] = upload(name, data)
    return client.post(reverse(ADD), payload)


# --- accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_valid_images_are_stored_re_encoded_under_a_generated_name_with_renditions(editor_client, settings, fmt, ext):
    response = post_image(editor_client, f"Снимка от репортер.{ext}", image_bytes(fmt, size=(700, 400)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    image = Image.objects.get()
    name = Path(image.file.name).name
    assert len(name) == 32 + 1 + len(ext) and name.endswith(f".{ext}")
    assert "Снимка" not in image.file.name and "reporter" not in image.file.name
    assert (image.width, image.height) == (700, 400)
    assert sorted(image.renditions, key=int) == ["320", "640", "700"]
    for rendition in image.renditions.values():
        with default_storage.open(rendition) as fh, PILImage.open(fh) as r:
            assert r.format == "WEBP"
    with default_storage.open(image.file.name) as fh, PILImage.open(fh) as stored:
        assert stored.format == fmt


def test_a_transparent_png_keeps_its_transparency(editor_client):
    post_image(editor_client, "logo.png", image_bytes("PNG", color=(0, 0, 0, 0), alpha=True))
    with default_storage.open(Image.objects.get().file.name) as fh, PILImage.open(fh) as stored:
        assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0


def test_exif_and_gps_are_stripped_and_orientation_applied(editor_client):
    original = jpeg_with_gps()
    assert b"CameraMaker" in original and PILImage.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    response = post_image(editor_client, "gps.jpg", original)
    assert response.status_code == 302
    image = Image.objects.get()
    with default_storage.open(image.file.name) as fh:
        stored = fh.read()
    assert b"Exif" not in stored and b"CameraMaker" not in stored
    with PILImage.open(io.BytesIO(stored)) as img:
        assert dict(img.getexif()) == {}
        assert img.getexif().get_ifd(GPS_IFD) == {}
        assert img.size == (48, 64)  # turned upright
    assert (image.width, image.height) == (48, 64)


def test_png_and_webp_metadata_is_dropped_too():
    exif = PILImage.Exif()
    exif[0x010F] = "CameraMaker"
    for fmt in ("PNG", "WEBP"):
        data = image_bytes(fmt, exif=exif.tobytes(), xmp=b"<x:xmpmeta>GPSLatitude 42.69</x:xmpmeta>")
        stored = process_upload(upload(f"x.{fmt.lower()}", data)).content.read()
        assert b"CameraMaker" not in stored and b"GPSLatitude" not in stored


def test_an_embedded_colour_profile_is_converted_not_copied():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for icc in (srgb, profile + b"<script>alert(1)</script>"):
        data = image_bytes("JPEG", icc_profile=icc)
        stored = process_upload(upload("icc.jpg", data)).content.read()
        assert b"<script" not in stored
        assert "icc_profile" not in PILImage.open(io.BytesIO(stored)).info


# --- rejected ---------------------------------------------------------------------------

REJECTED = [
    ("empty.jpg", b"", "файл е празен."),
    ("truncated.jpg", image_bytes("JPEG", size=(400, 300))[:600], "Файлът не е валидно изображение или е повреден."),
    ("notes.jpg", "Това е текст, а не снимка.\n".encode() * 20, "Неподдържан формат"),
    ("shell.php.jpg", b"<?php system($_GET['c']); ?>", "Неподдържан формат"),
    ("page.html.png", b"<html><script>alert(1)</script></html>", "Неподдържан формат"),
    ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Неподдържан формат"),
    ("anim.gif", image_bytes("GIF"), "Неподдържан формат"),
    ("bitmap.jpg", image_bytes("BMP"), "Неподдържан формат"),
]


@pytest.mark.parametrize(("name", "data", "message"), REJECTED, ids=[r[0] for r in REJECTED])
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_written(editor_client, settings, name, data, message):
    response = post_image(editor_client, name, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert any(message in e for e in errors), errors
    assert Image.objects.count() == 0
    assert stored_files(settings) == []


def test_an_upload_over_the_size_limit_is_refused_before_decoding(editor_client, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    response = post_image(editor_client, "big.png", image_bytes("PNG", size=(300, 300)) + b"\0" * 2048)
    errors = response.context["adminform"].form.errors["file"]
    assert "твърде голям" in errors[0]
    assert Image.objects.count() == 0


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("png 20000x20000 (400 Mpx)", png_declaring(20000, 20000)),
        ("jpeg 12000x9000 (108 Mpx)", jpeg_declaring(12000, 9000)),
        ("png 8000x6000 (48 Mpx, where Pillow only warns)", png_declaring(8000, 6000, rows=4)),
    ],
)
def test_decompression_bombs_are_refused_cheaply(editor_client, settings, label, data):
    assert len(data) < 600_000
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = post_image(editor_client, "bomb.png", data)
    elapsed = time.perf_counter() - started
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"] == [
        "Изображението има твърде много пиксели (най-много 40 мегапиксела)."
    ]
    assert Image.objects.count() == 0 and stored_files(settings) == []
    assert elapsed < 2, f"{label}: {elapsed:.2f} s"
    assert rss_growth_mb < 100, f"{label}: +{rss_growth_mb:.0f} MB"


def test_a_png_html_polyglot_is_re_encoded_without_the_markup(editor_client):
    polyglot = image_bytes("PNG", size=(40, 40))
    # HTML after IEND and in a text chunk: browsers sniffing for HTML would find it.
    text_chunk = png_chunk(b"tEXt", b"Comment\x00<html><script>alert(document.cookie)</script></html>")
    polyglot = polyglot[:33] + text_chunk + polyglot[33:] + b"<html><script>alert(1)</script></html>"
    assert PILImage.open(io.BytesIO(polyglot)).size == (40, 40)
    response = post_image(editor_client, "poly.png", polyglot)
    assert response.status_code == 302
    with default_storage.open(Image.objects.get().file.name) as fh:
        stored = fh.read().lower()
    assert b"<script" not in stored and b"<html" not in stored


def test_a_path_in_the_file_name_never_reaches_storage(editor_client, settings):
    response = post_image(editor_client, "../../x.png", image_bytes("PNG"))
    assert response.status_code == 302
    image = Image.objects.get()
    assert ".." not in image.file.name and "x.png" not in image.file.name
    assert image.file.name.startswith("images/")
    media = Path(settings.MEDIA_ROOT).resolve()
    assert all(media in p.resolve().parents for p in stored_files(settings))
    assert not (media.parent / "x.png").exists()


def test_editing_captions_keeps_the_stored_file(editor_client):
    image = ImageFactory(caption="Стар надпис")
    name = image.file.name
    response = editor_client.post(
        reverse("admin:articles_image_change", args=[image.pk]),
        {"caption": "Нов надпис", "credit": "БГНЕС", "alt_text": "Описание"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption == "Нов надпис" and image.file.name == name


# --- the library ---------------------------------------------------------------------------


def test_the_library_lists_thumbnails_finds_by_caption_or_credit_and_counts_use(editor_client):
    reused = ImageFactory(caption="Народното събрание", credit="БГНЕС")
    ImageFactory(caption="Морска градина", credit="Reuters")
    ArticleFactory(lead_image=reused)
    ArticleFactory(lead_image=reused)
    url = reverse("admin:articles_image_changelist")
    html = editor_client.get(url).content.decode()
    assert html.count('class="admin-thumb"') == 2
    assert reused.rendition_url(320) in html
    assert editor_client.get(url, {"q": "Народното"}).content.decode().count('class="admin-thumb"') == 1
    by_credit = editor_client.get(url, {"q": "Reuters"}).content.decode()
    assert "Морска градина" in by_credit and "Народното събрание" not in by_credit
    assert '<td class="field-usage_count">2</td>' in html


def test_the_library_filters_images_not_ready_for_publishing(editor_client):
    ImageFactory(caption="Пълно описание")
    ImageFactory(caption="Без алтернативен текст", alt_text="")
    html = editor_client.get(reverse("admin:articles_image_changelist"), {"described": "no"}).content.decode()
    assert "Без алтернативен текст" in html and "Пълно описание" not in html


def test_the_lead_image_autocomplete_finds_images_by_caption(editor_client):
    image = ImageFactory(caption="Щъркели над Бургас")
    ImageFactory(caption="Друго")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "Щъркели", "app_label": "articles", "model_name": "article", "field_name": "lead_image"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(image.pk), "text": "Щъркели над Бургас"}]


def test_authors_may_upload_but_not_change_library_images(client):
    client.force_login(newsroom_user(AUTHOR))
    assert client.get(reverse(ADD)).status_code == 200
    image = ImageFactory(caption="Чужда снимка")
    response = client.post(
        reverse("admin:articles_image_change", args=[image.pk]), {"caption": "Сменен", "credit": "", "alt_text": ""}
    )
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.caption == "Чужда снимка"


def test_image_library_query_budget(editor_client, django_assert_max_num_queries):
    for _ in range(6):
        ArticleFactory(lead_image=ImageFactory())
    editor_client.get(reverse("admin:articles_image_changelist"))
    with django_assert_max_num_queries(8):
        response = editor_client.get(reverse("admin:articles_image_changelist"))
    assert response.status_code == 200


def test_png_bytes_helper_is_a_real_png():
    assert PILImage.open(io.BytesIO(png_bytes())).format == "PNG"


def test_process_upload_rejects_without_touching_storage(settings):
    with pytest.raises(ValidationError):
        process_upload(upload("x.jpg", b"not an image at all"))
    assert stored_files(settings) == []
