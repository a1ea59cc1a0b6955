from django.conf import settings
from django.db import models

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


class UnitKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", "街道/镇"
    DEPARTMENT = "department", "职能部门"
    HOTLINE = "hotline", "热线中心"
    SUPERVISION = "supervision", "督查室"
    ENTERPRISE = "enterprise", "公共服务企业"


class Unit(BaseModel):
    """A body that handles or oversees appeals: a street office, a department, the hotline."""

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    region = optional_key(
        Region, "负责区域", related_name="units", help_text="街道办事处对应的街道；部门可空（全区）"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


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
