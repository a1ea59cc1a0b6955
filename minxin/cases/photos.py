"""Photos citizens attach: images only, size-limited, checked by decoding, not by extension."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from minxin.core.errors import ValidationFailed

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}


def photo_validate(photo: UploadedFile[bytes]) -> tuple[UploadedFile[bytes], str]:
    """Return the photo and its real content type, or refuse it with a Chinese message."""
    limit = settings.MINXIN_PHOTO_MAX_BYTES
    if (photo.size or 0) > limit:
        raise ValidationFailed(f"照片不能超过{limit // (1024 * 1024)}MB")
    if not photo.size:
        raise ValidationFailed("照片文件为空")
    try:
        with Image.open(photo) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed("只能上传 JPG、PNG、WEBP 或 GIF 格式的照片") from exc
    if image_format not in ALLOWED_FORMATS:
        raise ValidationFailed("只能上传 JPG、PNG、WEBP 或 GIF 格式的照片")
    photo.seek(0)
    return photo, ALLOWED_FORMATS[image_format]
