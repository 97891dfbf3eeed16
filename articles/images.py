"""Image intake and renditions, done once at upload time, never per request.

Uploads are opened with Pillow under a pixel limit, rotated by their EXIF orientation,
re-encoded (which drops EXIF/GPS data and anything smuggled after the image data) and
stored under a generated name. Renditions are WebP files at a few widths for ``srcset``.
"""

import io
import logging
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (320, 640, 960, 1200)
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
DECODERS = ("JPEG", "PNG", "WEBP")
_SRGB = ImageCms.createProfile("sRGB")
# What default_storage raises when it cannot write, read or delete: a full or read-only disk (OSError), an
# object storage that cannot be reached or answers an error after botocore's retries (BotoCoreError for
# connections and timeouts, ClientError for 403, 5xx, a missing bucket).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

logger = logging.getLogger(__name__)


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
            # Only our three decoders ever see the bytes (no EPS, ICO, TGA... parsers).
            with PILImage.open(upload, formats=DECODERS) as probe:
                fmt = "JPEG" if probe.format == "MPO" else probe.format  # MPO: a phone's JPEG
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("Unsupported image format. Upload a JPEG, PNG or WebP file."), code="format"
                    )
                _check_pixels(width, height)
                probe.verify()
            upload.seek(0)
            with PILImage.open(upload, formats=DECODERS) as img:
                img.load()
                img = _to_srgb(ImageOps.exif_transpose(img))
                return _encode(img, fmt)
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ValidationError(_("Unsupported image format. Upload a JPEG, PNG or WebP file."), code="format") from None
    except (OSError, SyntaxError, ValueError, EOFError):
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


def _to_srgb(img: PILImage.Image) -> PILImage.Image:
    """Colours converted from an embedded ICC profile to sRGB; the profile itself is not kept.

    Keeping the profile would copy the uploader's bytes into the stored file (a place to hide
    HTML or script); converting keeps the colours right without them.
    """
    icc = img.info.get("icc_profile")
    # Nothing of the upload's metadata travels on (EXIF, XMP, comments), except what
    # the encoder needs to keep a palette image's transparency.
    img.info = {k: v for k, v in img.info.items() if k == "transparency"}
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(img, source, _SRGB, outputMode=output_mode) or img
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img


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
    """WebP renditions of a stored original, keyed by width; the original's width included.

    Read from and written to ``default_storage`` (local disk or the bucket), under generated names. When
    a read or write fails, the renditions already written are deleted before the error goes on.
    """
    renditions: dict[str, str] = {}
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    try:
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
    except BaseException:
        delete_stored(renditions.values())
        raise
    return renditions


def delete_stored(names: Iterable[str]) -> list[str]:
    """Delete stored files, best effort: the names that could not be deleted are logged and returned."""
    left = []
    for name in names:
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS:
            left.append(name)
    if left:
        logger.error("media files left behind (delete them by hand): %s", " ".join(left))
    return left
