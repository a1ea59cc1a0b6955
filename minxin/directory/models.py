from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from minxin.core.models import BaseModel, optional_key, self_key


class RegionLevel(models.TextChoices):
    DISTRICT = "district", "区"
    SUBDISTRICT = "subdistrict", "街道/镇"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"


class Region(BaseModel):
    """A place in the district's tree: district → subdistricts/towns → communities → grid cells."""

    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=20, choices=RegionLevel.choices)
    parent = self_key("上级", related_name="children")
    code = models.CharField("区划代码", max_length=30, unique=True)
    # Materialised path of ancestor codes ("/d/s01/c0103/"): subtree filters are one LIKE prefix.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = "区划"
        verbose_name_plural = "区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived data only; moving a region is an admin job that re-saves its subtree.
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Jurisdiction(BaseModel):
    """A district this install serves (辖区). A district's own install has one; a city or a
    province runs one install with several, and a member of staff of one sees nothing of
    another (docs/deploy.md, "Many districts on one install"). Open311's jurisdiction_id is
    its code; its public pages are those asked for under its host name."""

    code = models.CharField("辖区代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    region = models.OneToOneField(
        Region,
        verbose_name="区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jurisdiction",
        help_text="本辖区在区划树中的根（区级区划）",
    )
    host = models.CharField(
        "公众站点域名", max_length=255, blank=True, help_text="以此域名访问的公众页面属于本辖区"
    )

    class Meta:
        verbose_name = "辖区"
        verbose_name_plural = "辖区"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=~Q(host=""), name="jurisdiction_host_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def jurisdiction_default() -> int:
    """The install's first district (its only one on a district's own install), made on first
    use from the settings' district name: an appeal or a unit given no jurisdiction is its."""
    first = Jurisdiction.objects.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        return first
    name = str(settings.MINXIN.get("DISTRICT_NAME") or "minxin")
    code = str(settings.MINXIN.get("OPEN311_JURISDICTION_ID") or name)
    return Jurisdiction.objects.get_or_create(code=code, defaults={"name": name})[0].pk


def jurisdiction_key() -> "models.ForeignKey[Jurisdiction, Jurisdiction]":
    """The district a row belongs to (an appeal, a programme, a draft for comment...), decided
    once when it is made: the install's first unless its service says otherwise."""
    return models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        verbose_name="辖区",
        related_name="+",
        default=jurisdiction_default,
    )


class UnitKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", "街道/镇"
    DEPARTMENT = "department", "职能部门"
    HOTLINE = "hotline", "热线中心"
    SUPERVISION = "supervision", "督查室"
    ENTERPRISE = "enterprise", "公共服务企业"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"


# The tree of units a subdistrict passes appeals down (二级派单): a street office above its
# communities, a community above its grid units. A unit of a kind not named here has no parent
# and no children; a parent is always of a smaller (higher) level, so the tree has no cycle.
UNIT_LEVELS: Final[dict[str, int]] = {
    UnitKind.SUBDISTRICT: 1,
    UnitKind.COMMUNITY: 2,
    UnitKind.GRID: 3,
}
# The kinds that sit under a parent unit (and must have one).
CHILD_KINDS: Final = frozenset({UnitKind.COMMUNITY, UnitKind.GRID})


class Unit(BaseModel):
    """A body that handles or oversees appeals: a street office, a department, the hotline; a
    community or grid unit under its street office, which passes appeals down to it."""

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    region = optional_key(
        Region, "负责区域", related_name="units", help_text="街道办事处对应的街道；部门可空（全区）"
    )
    parent = self_key("上级单位", related_name="children")
    # None: a unit of the city (or province) above the districts, which sees all of them.
    jurisdiction = optional_key(
        Jurisdiction, "所属辖区", related_name="units", help_text="空：市级单位，可见所有辖区"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=models.F("pk")),
                name="unit_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The tree's rule, for the admin's form: a community or grid unit sits under a unit
        of a higher level (a street office; a community for a grid), other units under none."""
        super().clean()
        level = UNIT_LEVELS.get(self.kind)
        if self.parent_id is None:
            if self.kind in CHILD_KINDS:
                raise ValidationError({"parent": "社区/村和网格单位须指定上级单位"})
            return
        if self.kind not in CHILD_KINDS or level is None:
            raise ValidationError({"parent": "只有社区/村和网格单位可以有上级单位"})
        parent = self.parent
        parent_level = UNIT_LEVELS.get(parent.kind)
        if parent_level is None or parent_level >= level:
            kind = parent.get_kind_display()
            raise ValidationError(
                {"parent": f"上级单位须比本单位高一级以上（{parent.name}是{kind}）"}
            )
        seen = {self.pk} if self.pk else set()
        node: Unit | None = parent
        while node is not None:  # no cycle: a unit may not sit under itself or its own child
            if node.pk in seen:
                raise ValidationError({"parent": "上级单位不能是本单位或其下级单位"})
            seen.add(node.pk)
            node = node.parent

    def is_above(self, other: "Unit") -> bool:
        """Whether `other` sits somewhere under this unit (its child, or its child's child)."""
        node = other.parent
        while node is not None:
            if node.pk == self.pk:
                return True
            node = node.parent
        return False


class Category(BaseModel):
    """The catalogue of matters, three levels (大类 / 小类 / 细类)."""

    name = models.CharField("名称", max_length=100)
    parent = self_key("上级分类", related_name="children")
    level = models.PositiveSmallIntegerField("层级", default=1)
    path_name = models.CharField("完整路径", max_length=300, unique=True, editable=False)
    responsible_unit_kind = models.CharField(
        "默认承办单位类型",
        max_length=20,
        choices=UnitKind.choices,
        blank=True,
        help_text="没有路由规则时，按此类型找承办单位",
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["path_name"]

    def __str__(self) -> str:
        return self.path_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.level = self.parent.level + 1 if self.parent else 1
        self.path_name = f"{self.parent.path_name}/{self.name}" if self.parent else self.name
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def ancestors_and_self(self) -> list["Category"]:
        chain: list[Category] = []
        node: Category | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    @property
    def top_level(self) -> "Category":
        return self.ancestors_and_self()[-1]


# What an import computes for a boundary besides its geometries (read-only in the admin).
BOUNDARY_FIGURES: Final = (
    "centroid_lat",
    "centroid_lng",
    "min_lng",
    "min_lat",
    "max_lng",
    "max_lat",
    "imported_by",
    "updated_at",
)


class RegionBoundary(BaseModel):
    """A region's outline, imported as GeoJSON (`services.boundaries_import`): the geometry as
    given, a simplified one that the maps draw, and the figures the maps place things by."""

    region = models.OneToOneField(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="boundary"
    )
    geometry = models.JSONField("原始边界", help_text="GeoJSON Polygon/MultiPolygon，经纬度")
    display = models.JSONField("显示边界", help_text="简化后的边界，地图绘制用")
    # A point inside the region (the centroid, or a point on the surface when the centroid of
    # a crescent-shaped region falls outside it): where its projects without a point are drawn.
    centroid_lat = models.FloatField("中心纬度")
    centroid_lng = models.FloatField("中心经度")
    min_lng = models.FloatField("最小经度")
    min_lat = models.FloatField("最小纬度")
    max_lng = models.FloatField("最大经度")
    max_lat = models.FloatField("最大纬度")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "区划边界"
        verbose_name_plural = "区划边界"
        ordering = ["region__code"]

    def __str__(self) -> str:
        return f"{self.region}边界"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.min_lng, self.min_lat, self.max_lng, self.max_lat)
