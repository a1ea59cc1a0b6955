from typing import TypeVar

from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


M = TypeVar("M", bound=models.Model)


# Keys are PROTECT everywhere: nothing with a history is ever deleted. Without a related name
# the reverse accessor is off ("+").
def key(
    to: type[M], verbose_name: str | None = None, *, related_name: str = "+"
) -> "models.ForeignKey[M, M]":
    return models.ForeignKey(
        to, verbose_name=verbose_name, on_delete=models.PROTECT, related_name=related_name
    )


def optional_key(
    to: type[M], verbose_name: str | None = None, *, related_name: str = "+"
) -> "models.ForeignKey[M | None, M | None]":
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
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
