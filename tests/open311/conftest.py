from collections.abc import Iterator

import pytest
from django.core.cache import cache

from minxin.open311.services import api_key_create
from tests.builders import District

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _rate_counters_clear() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(district: District) -> str:
    return api_key_create(name="测试客户端")[1]


def post_form(district: District, **overrides: str) -> dict[str, str]:
    values = {
        "service_code": str(district.category.pk),
        "lat": "28.228000",
        "long": "112.938800",
        "address_string": "景蓉华苑北门",
        "description": "小区门口垃圾堆放三天无人清运，气味很大。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "email": "zhang@example.com",
    }
    values.update(overrides)
    return values
