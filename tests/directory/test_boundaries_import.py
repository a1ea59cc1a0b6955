import pytest

from minxin.core.errors import ValidationFailed
from minxin.directory.models import RegionBoundary
from minxin.directory.services import boundaries_import
from tests.directory.geo import BOW_TIE, collection, feature, square

pytestmark = pytest.mark.django_db


def _refused(data: bytes) -> str:
    with pytest.raises(ValidationFailed) as e:
        boundaries_import(actor=None, data=data)
    assert not RegionBoundary.objects.exists()
    return e.value.message


def test_a_valid_file_writes_each_region_its_boundary(district):
    admin = district.user("admin")
    data = collection(
        feature(square(112.90, 28.20), code="A3-01", name="桂花坪街道"),
        feature(square(112.91, 28.20), name="望月湖街道"),  # by name
    )
    result = boundaries_import(actor=admin, data=data)
    assert (result.created, result.updated) == (2, 0)
    first = RegionBoundary.objects.get(region=district.streets[0])
    assert first.geometry["type"] == "Polygon"
    assert first.display["type"] == "Polygon"
    assert first.centroid_lng == pytest.approx(112.905)
    assert first.centroid_lat == pytest.approx(28.205)
    assert first.bbox == pytest.approx((112.90, 28.20, 112.91, 28.21))
    assert first.imported_by == admin
    # Importing again replaces, never duplicates.
    again = boundaries_import(
        actor=admin, data=collection(feature(square(112.95, 28.3), code="A3-01"))
    )
    assert (again.created, again.updated) == (0, 1)
    assert RegionBoundary.objects.count() == 2
    assert RegionBoundary.objects.get(region=district.streets[0]).centroid_lng == pytest.approx(
        112.955
    )


def test_the_display_outline_is_simplified(district, settings):
    import math

    settings.MINXIN_GEOJSON_SIMPLIFY_TOLERANCE = 0.001
    ring = [
        [
            112.9 + 0.05 * math.cos(2 * math.pi * i / 2000),
            28.2 + 0.05 * math.sin(2 * math.pi * i / 2000),
        ]
        for i in range(2000)
    ]
    ring.append(ring[0])
    boundaries_import(
        actor=None,
        data=collection(feature({"type": "Polygon", "coordinates": [ring]}, code="A3-01")),
    )
    b = RegionBoundary.objects.get()
    assert len(b.geometry["coordinates"][0]) == 2001
    assert 8 < len(b.display["coordinates"][0]) < 200


def test_a_multipolygon_is_accepted(district):
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(112.9, 28.2)["coordinates"], square(112.95, 28.2)["coordinates"]],
    }
    boundaries_import(actor=None, data=collection(feature(multi, code="A3-02")))
    b = RegionBoundary.objects.get()
    assert b.region == district.streets[1]
    # The centroid of two squares apart lies between them, outside: a point inside is kept.
    from shapely.geometry import Point, shape

    assert shape(b.geometry).contains(Point(b.centroid_lng, b.centroid_lat))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n", "不是 UTF-8"),
        (b"{not json", "不是有效的 JSON：第 1 行第 2 列"),
        (b"[1, 2]", "不是 GeoJSON FeatureCollection"),
        (b'{"type": "Feature", "geometry": null}', "文件的 type 为 Feature"),
        (b'{"type": "FeatureCollection"}', "缺少 features"),
        (b'{"type": "FeatureCollection", "features": []}', "没有任何要素"),
    ],
)
def test_a_file_that_is_not_geojson_is_refused(district, data, expected):
    assert expected in _refused(data)


def test_a_line_is_not_a_boundary(district):
    line = {"type": "LineString", "coordinates": [[112.9, 28.2], [112.91, 28.21]]}
    message = _refused(collection(feature(line, code="A3-01", name="桂花坪街道")))
    assert (
        "第 1 个要素（桂花坪街道）：几何类型为 LineString，只接受 Polygon 或 MultiPolygon"
        in message
    )


def test_a_self_intersecting_boundary_is_refused_with_where(district):
    message = _refused(collection(feature(BOW_TIE, code="A3-01")))
    assert "边界自相交，位置约在 经度 112.905000、纬度 28.205000" in message


def test_an_unknown_region_is_refused_and_nothing_is_written(district):
    # The good feature before the bad one is not written either.
    message = _refused(
        collection(
            feature(square(112.9, 28.2), code="A3-01"),
            feature(square(112.95, 28.2), code="Z9-99"),
            feature(square(112.97, 28.2), name="不存在街道"),
        )
    )
    assert "共 2 处错误" in message
    assert "第 2 个要素（Z9-99）：区划代码 Z9-99 不存在" in message
    assert "没有名为「不存在街道」的区划" in message


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (None, "没有几何"),
        ({"type": "Polygon", "coordinates": "x"}, "坐标格式有误"),
        ({"type": "Polygon", "coordinates": []}, "几何为空"),
        (square(500000.0, 3100000.0, 100.0), "超出经纬度范围"),
        (
            {"type": "Polygon", "coordinates": [[[112.9, 28.2], [112.91, 28.2], [112.9, 28.2]]]},
            "边界的点数过少",
        ),
    ],
)
def test_broken_geometries_are_refused(district, geometry, expected):
    assert expected in _refused(collection(feature(geometry, code="A3-01")))


def test_the_same_region_twice_is_refused(district):
    message = _refused(
        collection(
            feature(square(112.9, 28.2), code="A3-01"),
            feature(square(112.95, 28.2), name="桂花坪街道"),
        )
    )
    assert "重复导入" in message


def test_a_file_over_the_limit_is_refused(district, settings):
    settings.MINXIN_GEOJSON_MAX_BYTES = 1000
    data = collection(*[feature(square(112.9, 28.2), code="A3-01") for _ in range(20)])
    assert len(data) > 1000
    assert "文件过大" in _refused(data)
