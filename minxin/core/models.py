from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar, TypeVar

from django.core.files.base import File
from django.db import connection, models
from django.utils import timezone


class BaseModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


M = TypeVar("M", bound=models.Model)


# Keys are PROTECT everywhere: nothing with a history is ever deleted. Without a related name
# the reverse accessor is off ("+").
def key(
    to: type[M], verbose_name: str | None = None, *, related_name: str = "+", help_text: str = ""
) -> "models.ForeignKey[M, M]":
    return _key(to, verbose_name, related_name, help_text, optional=False)


def optional_key(
    to: type[M], verbose_name: str | None = None, *, related_name: str = "+", help_text: str = ""
) -> "models.ForeignKey[M | None, M | None]":
    return _key(to, verbose_name, related_name, help_text, optional=True)


def self_key(verbose_name: str, *, related_name: str) -> "models.ForeignKey[Any, Any]":
    """An optional key to a row of the same model (a parent, the appeal a duplicate joins)."""
    return _key("self", verbose_name, related_name, "", optional=True)


def _key(
    to: Any, verbose_name: str | None, related_name: str, help_text: str, *, optional: bool
) -> Any:
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name=related_name,
        help_text=help_text,
    )


def one_to_one(
    to: type[M], verbose_name: str | None = None, *, related_name: str = "+"
) -> "models.OneToOneField[M, M]":
    return models.OneToOneField(
        to, verbose_name=verbose_name, on_delete=models.PROTECT, related_name=related_name
    )


def one_to_one_key(to: type[M]) -> "models.OneToOneField[M, M]":
    """A row that extends another one, keyed by it (a per-appeal record of derived data)."""
    return models.OneToOneField(to, primary_key=True, on_delete=models.PROTECT, related_name="+")


class DaySequence(models.Model):
    """A per-day counter behind readable numbers (2026112100042): each app that numbers its
    records by day has one (`day_numbers_take`)."""

    day = models.DateField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


def day_numbers_take(sequence: type[DaySequence], *, day: date, count: int = 1) -> range:
    """Reserve `count` consecutive numbers of the day, atomically on SQLite and PostgreSQL."""
    table = connection.ops.quote_name(sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last_value) VALUES (%s, %s) "  # noqa: S608 - our own table  # nosec B608
            f"ON CONFLICT (day) DO UPDATE SET last_value = {table}.last_value + %s "
            "RETURNING last_value",
            [day, count, count],
        )
        last = int(cursor.fetchone()[0])
    return range(last - count + 1, last + 1)


def photo_path(photo: "Photo", filename: str) -> str:
    """`<FOLDER>/<year>/<month>/<the record's id>-<the file name's last 40 characters>`: a
    month to a folder, a record's photos side by side."""
    return f"{photo.FOLDER}/{timezone.now():%Y/%m}/{photo.record_id}-{filename[-40:]}"


class Photo(models.Model):
    """A checked photo of a record (`cases.photos`: re-encoded, its metadata gone), written with
    the record by `photos_save` and never changed. A subclass keys the record (the key named
    `OF`) and names the `FOLDER` its files go to."""

    OF: ClassVar[str]
    FOLDER: ClassVar[str]

    image = models.ImageField("照片", upload_to=photo_path)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.record_id} 照片"

    @property
    def record_id(self) -> object:
        """The key of the record this is a photo of."""
        return getattr(self, f"{self.OF}_id")


P = TypeVar("P", bound=Photo)


def photos_save(model: type[P], photos: Iterable[tuple[File[bytes], str]], **fields: Any) -> None:
    """Store checked photos (`cases.photos`: the re-encoded file and its type) as rows of
    `model` with `fields` (the record's key): the file in its `image`, its `content_type` and
    `size`."""
    for data, content_type in photos:
        photo = model(content_type=content_type, size=data.size, **fields)
        photo.image.save(data.name or "photo", data, save=False)
        photo.save(force_insert=True)
