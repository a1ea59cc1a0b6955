"""core.steps.RecordPage: a record's page, and the same page for a refused form."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from minxin.core.errors import ConcurrentEdit, MinxinError, NotFound, ValidationFailed
from minxin.core.steps import RecordPage, posted_action

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "record.html": (
                            "{{ record.name }}|{{ viewer }}|{{ error|default:'' }}"
                            "|{{ posted.reason }}|{{ open_action }}"
                        )
                    },
                )
            ]
        },
    }
]


@dataclass
class Record:
    name: str


PAGE: RecordPage[Record] = RecordPage(
    "record.html", lambda viewer, record: {"record": record, "viewer": viewer}
)


@override_settings(TEMPLATES=TEMPLATES)
def test_the_page_shows_the_record_to_its_viewer() -> None:
    response = PAGE.render(RequestFactory().get("/"), "张三", Record("路灯"))
    assert response.status_code == 200
    assert response.content.decode() == "路灯|张三|||"


@override_settings(TEMPLATES=TEMPLATES)
def test_a_refused_form_answers_with_the_error_and_what_was_typed() -> None:
    response = PAGE.render(
        RequestFactory().post("/"),
        "张三",
        Record("路灯"),
        error=ValidationFailed("请填写理由"),
        posted={"reason": "<b>已修</b>"},
        open_action="reply",
    )
    assert response.status_code == 400
    # What was typed comes back escaped.
    assert response.content.decode() == "路灯|张三|请填写理由|&lt;b&gt;已修&lt;/b&gt;|reply"


@override_settings(TEMPLATES=TEMPLATES)
@pytest.mark.parametrize(
    "error, status", [(ValidationFailed("x"), 400), (ConcurrentEdit("x"), 409)]
)
def test_a_refused_step_reads_the_record_anew(error: MinxinError, status: int) -> None:
    reads: list[str] = []

    def read() -> Record:
        reads.append("read")
        return Record(f"第{len(reads)}次读取")

    request = RequestFactory().post("/", {"reason": "已联系", "action": "close"})
    response = PAGE.refused(request, "李四", read)(error)
    assert reads == ["read"]
    assert response.status_code == status
    assert response.content.decode().startswith("第1次读取|李四|x|已联系|")


class _Action(StrEnum):
    CLOSE = "close"


def _act(**kwargs: object) -> None:
    raise AssertionError("not reached")


def _step(read: Callable[[], Record], action: str) -> HttpResponse:
    request = RequestFactory().post("/", {"action": action, "reason": "已办", "version": "3"})
    return PAGE.step(
        request, "王五", read, _Action, _act, label=lambda a: "办结", done="unused", pk=1
    )


@override_settings(TEMPLATES=TEMPLATES)
def test_a_step_on_a_record_the_viewer_may_not_see_is_not_found_before_anything() -> None:
    def hidden() -> Record:
        raise NotFound("未找到")

    with pytest.raises(NotFound):
        _step(hidden, "close")


@override_settings(TEMPLATES=TEMPLATES)
def test_an_unknown_action_is_refused_on_the_page_without_acting() -> None:
    response = _step(lambda: Record("路灯"), "delete")
    assert response.status_code == 400
    assert response.content.decode() == "路灯|王五|未知的操作|已办|"


def test_a_posted_action_is_one_of_the_machines_but_not_the_creating_one() -> None:
    class Action(StrEnum):
        CREATE = "create"
        CLOSE = "close"

    def posted(action: str) -> HttpRequest:
        return RequestFactory().post("/", {"action": action})

    assert posted_action(posted("close"), Action, excluding=(Action.CREATE,)) is Action.CLOSE
    assert posted_action(posted("create"), Action) is Action.CREATE
    for odd in ("create", "delete", ""):
        with pytest.raises(ValidationFailed, match="未知的操作"):
            posted_action(posted(odd), Action, excluding=(Action.CREATE,))
