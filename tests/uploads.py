"""Real images for upload tests (citizen and board photos), made in memory with Pillow."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(size: tuple[int, int] = (8, 8), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


def big_png_upload() -> SimpleUploadedFile:
    """A genuine PNG over 5 MB (uncompressed pixels)."""
    data = png(size=(1400, 1400), compress_level=0)
    assert len(data) > 5 * 1024 * 1024
    return SimpleUploadedFile("big.png", data, content_type="image/png")


def fake_jpg_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.jpg", b"just some text, not an image\n", content_type="image/jpeg"
    )


def bomb_png_upload() -> SimpleUploadedFile:
    """A 60 KB PNG that decodes to 400 million pixels (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
