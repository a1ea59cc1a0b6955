"""Real images for upload tests (citizen and board photos), made in memory with Pillow, and
hostile files that only look like images."""

import io
import struct

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


def bomb_png_upload(size: tuple[int, int] = (20000, 20000)) -> SimpleUploadedFile:
    """A 60 KB PNG that decodes to 400 million pixels (a decompression bomb); other sizes: a
    12000×12000 one (17 KB) is past Pillow's warning but not its error, a 7200×7200 one only
    past MINXIN_PHOTO_MAX_PIXELS."""
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, format="PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def jpeg(size: tuple[int, int] = (16, 16)) -> bytes:
    """A baseline JPEG of noise (noise, so that its scan data is not a few bytes)."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def truncated_jpeg_upload() -> SimpleUploadedFile:
    """A genuine JPEG cut off halfway through its scan data (an interrupted upload)."""
    data = jpeg(size=(320, 240))
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")


def bomb_jpeg_upload() -> SimpleUploadedFile:
    """A 1 KB JPEG whose header claims 60000×60000 pixels."""
    data = bytearray(jpeg())
    sof = data.index(b"\xff\xc0")  # start of frame: marker, length, precision, height, width
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    return SimpleUploadedFile("bomb.jpg", bytes(data), content_type="image/jpeg")


SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script><rect width='8' height='8'/></svg>"
)


def svg_upload(name: str = "photo.svg") -> SimpleUploadedFile:
    """An SVG carrying a script (an image to a browser, a page to an attacker)."""
    return SimpleUploadedFile(name, SVG_SCRIPT, content_type="image/svg+xml")


def polyglot_gif_upload() -> SimpleUploadedFile:
    """A GIF's signature followed by a script: what a sniffer might take for either."""
    data = b"GIF89a/*\x0a\x00\x0a\x00*/=1;<script>alert(1)</script>"
    return SimpleUploadedFile("photo.gif", data, content_type="image/gif")
