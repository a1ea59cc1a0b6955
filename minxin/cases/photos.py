"""Photos people attach (citizens' appeals, units' progress evidence): images only, checked by
decoding, never by extension, and stored re-encoded — metadata (EXIF GPS, the camera, the
owner's name) dropped and the orientation applied — so what is served is only the picture.

Pillow is imported by the functions that decode (2 MB a web process): this module is imported
at start, and most processes never receive a photo."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from minxin.core.errors import ValidationFailed

if TYPE_CHECKING:
    from PIL import Image

ALLOWED_FORMATS: Final = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
# What a stored photo becomes: a GIF keeps only its first frame, as a PNG.
STORED_AS: Final = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
SUFFIX: Final = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
WRONG_TYPE: Final = "只能上传 JPG、PNG、WEBP 或 GIF 格式的照片"


def photo_validate(photo: UploadedFile[bytes]) -> tuple[ContentFile[bytes], str]:
    """The photo re-encoded without its metadata, and its content type; or a refusal in
    Chinese (too large, empty, not an image, too many pixels)."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.MINXIN_PHOTO_MAX_BYTES
    if (photo.size or 0) > limit:
        raise ValidationFailed(f"照片不能超过{limit // (1024 * 1024)}MB")
    if not photo.size:
        raise ValidationFailed("照片文件为空")
    max_pixels = settings.MINXIN_PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(photo) as image:
                image_format = image.format or ""
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationFailed(WRONG_TYPE)
                width, height = image.size
                if width * height > max_pixels:
                    limit_wan = max_pixels // 10_000  # 万像素, the unit phone cameras are sold in
                    raise ValidationFailed(
                        f"照片尺寸过大（{width}×{height}），请上传{limit_wan}万像素以内的照片"
                    )
                image.load()  # decodes it all: a truncated or corrupt file fails here
                data = _reencoded(image, STORED_AS[image_format])
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationFailed("照片尺寸过大，请上传普通照片") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(WRONG_TYPE) from exc
    stored = STORED_AS[image_format]
    name = PurePath(photo.name or "photo").stem[:40] + SUFFIX[stored]
    return ContentFile(data, name=name), ALLOWED_FORMATS[stored]


def photo_limits() -> dict[str, int]:
    """What a form with photos tells its reader: how many, how large each."""
    return {
        "photo_max_count": settings.MINXIN_PHOTO_MAX_COUNT,
        "photo_max_mb": settings.MINXIN_PHOTO_MAX_BYTES // (1024 * 1024),
    }


def photos_validate(
    photos: Sequence[UploadedFile[bytes]],
) -> list[tuple[ContentFile[bytes], str]]:
    """Several photos of one form (an appeal, a supplement, a reply, an order's answer): at most
    MINXIN_PHOTO_MAX_COUNT, each through `photo_validate`."""
    limit = settings.MINXIN_PHOTO_MAX_COUNT
    if len(photos) > limit:
        raise ValidationFailed(f"照片最多{limit}张")
    return [photo_validate(photo) for photo in photos]


def _reencoded(image: Image.Image, stored: str) -> bytes:
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image)
    if stored == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    if stored == "PNG" and upright.mode == "P" and "transparency" not in upright.info:
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 90} if stored in ("JPEG", "WEBP") else {}
    # No exif=, no icc_profile=, no pnginfo=: Pillow writes none of the original metadata.
    upright.save(out, format=stored, **options)
    return out.getvalue()
