"""Fuzz the JSON endpoints against their OpenAPI contract (bounded: a few dozen examples per
operation). Any 5xx, an undocumented status, or a body that breaks the schema fails."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minxin.open311.openapi import openapi_document
from tests.builders import District

schema = schemathesis.openapi.from_dict(openapi_document(server_url="http://testserver/open311/v2"))
schema.app = get_wsgi_application()

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _connections_kept() -> Iterator[None]:
    """The WSGI app closes the connection after each request; in a test transaction that
    would end the test's own connection (Django's test client disconnects the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_connections_kept")
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_json_endpoints_keep_their_contract(case, district: District, api_key: str) -> None:
    cache.clear()  # rate limits are tested elsewhere; here every example is served
    if case.method == "POST" and isinstance(case.body, dict) and "api_key" in case.body:
        case.body["api_key"] = api_key  # reach the validation behind the key as well
    case.call_and_validate(checks=CHECKS)
