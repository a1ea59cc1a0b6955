"""Photos are stored re-encoded: only the picture is kept, never its metadata, and an image
that decodes to too many pixels is refused before it is decoded."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minxin.cases.photos import photo_validate
from minxin.core.errors import ValidationFailed
from tests.uploads import bomb_png_upload, png

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _jpeg_with_exif(size: tuple[int, int] = (40, 20), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "张三"  # Artist: the owner's name
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


def _stored(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_exif_gps_camera_and_owner_are_dropped() -> None:
    original = _jpeg_with_exif()
    assert GPS_IFD in Image.open(io.BytesIO(original)).getexif()  # the fixture does carry them
    stored, content_type = photo_validate(_upload(original))
    assert content_type == "image/jpeg"
    data = stored.read()
    exif = _stored(data).getexif()
    assert GPS_IFD not in exif and 0x010F not in exif and 0x013B not in exif
    assert "张三".encode() not in data and b"PhoneMaker" not in data


def test_orientation_is_applied_to_the_pixels() -> None:
    # Orientation 6: the camera was turned; the stored photo is upright and says nothing more.
    stored, _ = photo_validate(_upload(_jpeg_with_exif(size=(40, 20), orientation=6)))
    image = _stored(stored.read())
    assert image.size == (20, 40)
    assert ORIENTATION not in image.getexif()


def test_png_text_chunks_are_dropped() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "李四 13800138000")
    stored, content_type = photo_validate(_upload(png(pnginfo=info), "a.png", "image/png"))
    assert content_type == "image/png"
    assert b"13800138000" not in stored.read()


def test_gif_is_kept_as_a_png_of_its_first_frame() -> None:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, format="GIF")
    stored, content_type = photo_validate(_upload(out.getvalue(), "a.gif", "image/gif"))
    assert content_type == "image/png" and stored.name.endswith(".png")
    assert _stored(stored.read()).format == "PNG"


def test_a_decompression_bomb_is_refused_before_decoding(settings) -> None:
    bomb = bomb_png_upload()  # 20000 x 20000 = 400 MP in some 60 KB
    assert (bomb.size or 0) < settings.MINXIN_PHOTO_MAX_BYTES
    with pytest.raises(ValidationFailed, match="照片尺寸过大"):
        photo_validate(bomb)


def test_the_pixel_limit_is_a_setting(settings) -> None:
    settings.MINXIN_PHOTO_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationFailed, match="1万像素以内"):
        photo_validate(_upload(png(size=(120, 120)), "a.png", "image/png"))
    stored, _ = photo_validate(_upload(png(size=(100, 100)), "b.png", "image/png"))
    assert _stored(stored.read()).size == (100, 100)


def test_a_truncated_image_is_refused() -> None:
    data = _jpeg_with_exif(size=(200, 200))
    with pytest.raises(ValidationFailed, match="只能上传"):
        photo_validate(_upload(data[: len(data) // 2]))
