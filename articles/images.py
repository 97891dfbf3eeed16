"""Image intake and renditions, done once at upload time, never per request.

Uploads are opened with Pillow under a pixel limit, rotated by their EXIF orientation,
re-encoded (which drops EXIF/GPS data and anything smuggled after the image data) and
stored under a generated name. Renditions are WebP files at a few widths for ``srcset``.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (320, 640, 960, 1200)
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class ProcessedImage:
    content: ContentFile
    width: int
    height: int


def process_upload(upload) -> ProcessedImage:
    """A validated, re-encoded copy of an uploaded image, or ValidationError."""
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)d MB at most).") % {"size": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(upload) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("Unsupported image format. Upload a JPEG, PNG or WebP file."), code="format"
                    )
                _check_pixels(width, height)
                probe.verify()
            upload.seek(0)
            with PILImage.open(upload) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                return _encode(img, fmt)
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The file is not a valid image or is damaged."), code="invalid") from None


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (%(mp)d megapixels at most).")
        % {"mp": settings.MAX_IMAGE_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _check_pixels(width: int, height: int) -> None:
    if width * height > settings.MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _encode(img: PILImage.Image, fmt: str) -> ProcessedImage:
    out = io.BytesIO()
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if fmt == "JPEG" or (not has_alpha and fmt != "PNG"):
        img = img.convert("RGB")
        if fmt == "WEBP":
            img.save(out, "WEBP", quality=85)
        else:
            fmt = "JPEG"
            img.save(out, "JPEG", quality=88, optimize=True, progressive=True)
    elif fmt == "WEBP":
        img.convert("RGBA").save(out, "WEBP", quality=85)
    else:
        img.convert("RGBA" if has_alpha else "RGB").save(out, "PNG", optimize=True)
    name = f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}"
    return ProcessedImage(ContentFile(out.getvalue(), name=name), img.width, img.height)


def build_renditions(file_name: str, width: int) -> dict[str, str]:
    """WebP renditions of a stored original, keyed by width; the original's width included."""
    renditions: dict[str, str] = {}
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    with default_storage.open(file_name) as fh, PILImage.open(fh) as img:
        img.load()
        targets = [w for w in RENDITION_WIDTHS if w < width] + [min(width, RENDITION_WIDTHS[-1])]
        for target in sorted(set(targets)):
            copy = img.copy()
            copy.thumbnail((target, 10_000), PILImage.Resampling.LANCZOS)
            buf = io.BytesIO()
            copy.convert("RGBA" if copy.mode in ("RGBA", "LA", "P") else "RGB").save(buf, "WEBP", quality=80)
            name = default_storage.save(f"renditions/{stem}-{target}.webp", ContentFile(buf.getvalue()))
            renditions[str(target)] = name
    return renditions
