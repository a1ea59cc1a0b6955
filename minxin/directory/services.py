"""Writes of the directory: region boundaries imported from GeoJSON.

A file is checked whole before anything is written (size, JSON, GeoJSON, each feature's
region and geometry), and written in one transaction: a bad file changes nothing, and its
message names every feature at fault (up to ERRORS_SHOWN) so it can be fixed in one go."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from minxin.core.errors import ValidationFailed

from .models import BOUNDARY_FIGURES, Region, RegionBoundary

# shapely (4 MB a process, and numpy under it) is imported by the functions that check a file:
# this module is imported at start (by the admin), and a boundary import is rare.
if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

AREAL: Final = ("Polygon", "MultiPolygon")
ERRORS_SHOWN: Final = 10
DISPLAY_GRID: Final = 1e-5  # display coordinates kept to ~1 m: a smaller file, same picture

# GEOS's reasons (explain_validity) in the words of the admin's page.
REASONS: Final = {
    "Self-intersection": "边界自相交",
    "Ring Self-intersection": "边界环自相交",
    "Too few points in geometry component": "边界的点数过少（环至少需要 4 个点）",
    "Hole lies outside shell": "内环（洞）在外环之外",
    "Interior is disconnected": "区域内部被分割成不相连的部分",
    "Nested shells": "多边形相互嵌套",
    "Nested holes": "内环相互嵌套",
    "Invalid Coordinate": "坐标无效",
    "Duplicate Rings": "存在重复的环",
    "Ring is not closed": "边界环未闭合",
}


@dataclass(frozen=True)
class BoundaryImport:
    created: int
    updated: int
    regions: list[str]  # the names of the regions whose boundary was written

    @property
    def message(self) -> str:
        return (
            f"已导入 {len(self.regions)} 个区划的边界（新增 {self.created}，更新 {self.updated}）"
        )


@dataclass(frozen=True)
class _Checked:
    region: Region
    geometry: BaseGeometry


def geojson_max_bytes() -> int:
    return int(settings.MINXIN_GEOJSON_MAX_BYTES)


def size_refusal(size: int) -> str | None:
    """Why a file of `size` bytes is refused, before reading it; None if it may be read."""
    limit = geojson_max_bytes()
    if size > limit:
        return f"文件过大（{_mb(size)}），上限为 {_mb(limit)}"
    return None


def boundaries_import(*, actor: AbstractBaseUser | None, data: bytes) -> BoundaryImport:
    """Import a GeoJSON FeatureCollection of region boundaries: each feature names its region
    by the `code` (or `adcode`) property, else by `name`; its geometry is a valid Polygon or
    MultiPolygon in longitude/latitude. Existing boundaries of those regions are replaced.
    The admin's entry point: a transaction of its own."""
    with transaction.atomic(durable=True):
        return boundaries_load(actor=actor, data=data)


@transaction.atomic
def boundaries_load(*, actor: AbstractBaseUser | None, data: bytes) -> BoundaryImport:
    """The import's checks and writes inside the caller's transaction (the demo seed builds
    its directory, boundaries included, in one)."""
    refusal = size_refusal(len(data))
    if refusal:
        raise ValidationFailed(refusal)
    features = _features(data)
    checked = _checked(features)
    existing = set(
        RegionBoundary.objects.filter(region__in=[c.region for c in checked]).values_list(
            "region_id", flat=True
        )
    )
    tolerance = float(settings.MINXIN_GEOJSON_SIMPLIFY_TOLERANCE)
    rows = [
        _boundary(c.region, c.geometry, tolerance, actor if actor and actor.pk else None)
        for c in checked
    ]
    RegionBoundary.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["region"],
        update_fields=["geometry", "display", *BOUNDARY_FIGURES],
    )
    updated = sum(1 for c in checked if c.region.pk in existing)
    return BoundaryImport(
        created=len(checked) - updated,
        updated=updated,
        regions=[c.region.name for c in checked],
    )


# --- checks ------------------------------------------------------------------------------


def _features(data: bytes) -> list[Any]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise ValidationFailed("文件不是 UTF-8 编码的文本，无法读取为 GeoJSON") from e
    except json.JSONDecodeError as e:
        raise ValidationFailed(f"文件不是有效的 JSON：第 {e.lineno} 行第 {e.colno} 列有误") from e
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        kind = document.get("type") if isinstance(document, dict) else None
        found = f"（文件的 type 为 {str(kind)[:30]}）" if kind else ""
        raise ValidationFailed(f"文件不是 GeoJSON FeatureCollection（要素集合）{found}")
    features = document.get("features")
    if not isinstance(features, list):
        raise ValidationFailed("GeoJSON 缺少 features 列表")
    if not features:
        raise ValidationFailed("GeoJSON 中没有任何要素")
    return features


def _checked(features: list[Any]) -> list[_Checked]:
    errors: list[str] = []
    names = [_label(f, i) for i, f in enumerate(features)]
    regions = _regions_named(features)
    checked: list[_Checked] = []
    seen: dict[int, str] = {}
    for i, feature in enumerate(features):
        label = names[i]
        try:
            region = _region_of(feature, regions, label)
            geometry = _geometry_of(feature, label)
        except ValidationFailed as e:
            errors.append(e.message)
            continue
        if region.pk in seen:
            errors.append(f"{label}：与{seen[region.pk]}是同一个区划（{region.name}），重复导入")
            continue
        seen[region.pk] = label
        checked.append(_Checked(region=region, geometry=geometry))
    if errors:
        more = f"；另有 {len(errors) - ERRORS_SHOWN} 处错误" if len(errors) > ERRORS_SHOWN else ""
        raise ValidationFailed(
            f"导入失败，未写入任何边界（共 {len(errors)} 处错误）："
            + "；".join(errors[:ERRORS_SHOWN])
            + more
        )
    return checked


def _properties(feature: Any) -> dict[str, Any]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props if isinstance(props, dict) else {}


def _code(props: dict[str, Any]) -> str:
    value = props.get("code", props.get("adcode"))
    return str(value).strip() if value not in (None, "") else ""


def _name(props: dict[str, Any]) -> str:
    value = props.get("name")
    return str(value).strip() if value not in (None, "") else ""


def _label(feature: Any, index: int) -> str:
    props = _properties(feature)
    named = _name(props) or _code(props)
    return f"第 {index + 1} 个要素" + (f"（{named[:40]}）" if named else "")


def _regions_named(features: list[Any]) -> dict[str, dict[str, list[Region]]]:
    """The regions the file names, by code and by name: two queries for the whole file."""
    codes = {_code(_properties(f)) for f in features} - {""}
    names = {_name(_properties(f)) for f in features} - {""}
    by_code: dict[str, list[Region]] = {}
    for r in Region.objects.filter(code__in=codes):
        by_code.setdefault(r.code, []).append(r)
    by_name: dict[str, list[Region]] = {}
    for r in Region.objects.filter(name__in=names).order_by("code"):
        by_name.setdefault(r.name, []).append(r)
    return {"code": by_code, "name": by_name}


def _region_of(feature: Any, regions: dict[str, dict[str, list[Region]]], label: str) -> Region:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValidationFailed(f"{label}：不是 GeoJSON Feature")
    props = _properties(feature)
    code, name = _code(props), _name(props)
    if code:
        found = regions["code"].get(code)
        if not found:
            raise ValidationFailed(f"{label}：区划代码 {code[:30]} 不存在")
        return found[0]
    if not name:
        raise ValidationFailed(f"{label}：properties 中没有 code 或 name，无法对应区划")
    found = regions["name"].get(name)
    if not found:
        raise ValidationFailed(f"{label}：没有名为「{name[:40]}」的区划")
    if len(found) > 1:
        codes = "、".join(r.code for r in found[:5])
        raise ValidationFailed(f"{label}：名为「{name[:40]}」的区划不止一个（{codes}），请用 code")
    return found[0]


def _geometry_of(feature: dict[str, Any], label: str) -> BaseGeometry:
    from shapely.errors import GeometryTypeError, ShapelyError
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    raw = feature.get("geometry")
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{label}：没有几何（geometry）")
    kind = raw.get("type")
    if kind not in AREAL:
        raise ValidationFailed(
            f"{label}：几何类型为 {str(kind)[:30]}，只接受 Polygon 或 MultiPolygon（面）"
        )
    try:
        geometry = shape(raw)
    except (GeometryTypeError, ShapelyError, ValueError, TypeError, KeyError, IndexError) as e:
        raise ValidationFailed(f"{label}：坐标格式有误，无法读取为{kind}") from e
    if geometry.is_empty:
        raise ValidationFailed(f"{label}：几何为空")
    min_x, min_y, max_x, max_y = geometry.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise ValidationFailed(f"{label}：坐标超出经纬度范围（应为 WGS84 经纬度，而非投影坐标）")
    if not geometry.is_valid:
        raise ValidationFailed(f"{label}：{_reason(explain_validity(geometry))}")
    return geometry


def _reason(explained: str) -> str:
    """GEOS's "Self-intersection[113.1 28.2]" as "边界自相交，位置约在 经度 113.1、纬度 28.2"."""
    match = re.match(r"^(.*?)\[\s*([-\d.eE+]+)\s+([-\d.eE+]+)[^\]]*\]", explained)
    if not match:
        return f"边界无效（{explained[:80]}）"
    reason, x, y = match.groups()
    words = REASONS.get(reason.strip(), f"边界无效（{reason.strip()[:60]}）")
    return f"{words}，位置约在 经度 {float(x):.6f}、纬度 {float(y):.6f}"


# --- the row ------------------------------------------------------------------------------


def _boundary(
    region: Region, geometry: BaseGeometry, tolerance: float, actor: AbstractBaseUser | None
) -> RegionBoundary:
    from shapely.geometry import mapping

    display = _simplified(geometry, tolerance)
    inside = geometry.centroid
    if not geometry.contains(inside):
        inside = geometry.representative_point()
    min_x, min_y, max_x, max_y = geometry.bounds
    return RegionBoundary(
        region=region,
        geometry=mapping(geometry),
        display=mapping(display),
        centroid_lat=round(inside.y, 6),
        centroid_lng=round(inside.x, 6),
        min_lng=min_x,
        min_lat=min_y,
        max_lng=max_x,
        max_lat=max_y,
        imported_by_id=actor.pk if actor else None,
    )


def _simplified(geometry: BaseGeometry, tolerance: float) -> BaseGeometry:
    """Fewer points for drawing, the topology kept; the original when simplifying would
    empty or break it (a region smaller than the tolerance)."""
    import shapely

    simple = shapely.set_precision(
        geometry.simplify(tolerance, preserve_topology=True), DISPLAY_GRID
    )
    if simple.is_empty or not simple.is_valid or simple.geom_type not in AREAL:
        return geometry
    return simple


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
