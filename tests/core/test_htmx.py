"""core.htmx.htmx_made: a request htmx made, and no other."""

from django.test import RequestFactory

from minxin.core.htmx import htmx_made


def test_only_a_request_htmx_made_is_answered_with_a_fragment() -> None:
    factory = RequestFactory()
    assert htmx_made(factory.post("/", headers={"HX-Request": "true"}))
    assert not htmx_made(factory.post("/"))
    assert not htmx_made(factory.post("/", headers={"HX-Request": "false"}))
