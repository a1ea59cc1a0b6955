"""core.steps.RecordPage: a record's page, and the same page for a refused form."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

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


def _page(read: Callable[[object, int], Record]) -> RecordPage[Record]:
    return RecordPage(
        "record.html", lambda viewer, record: {"record": record, "viewer": viewer}, read, "unused"
    )


PAGE = _page(lambda viewer, pk: Record(f"记录{pk}"))


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
    reads: list[int] = []

    def read(viewer: object, pk: int) -> Record:
        reads.append(pk)
        return Record(f"第{len(reads)}次读取")

    request = RequestFactory().post("/", {"reason": "已联系", "action": "close"})
    response = _page(read).refused(request, "李四", 7, error)
    assert reads == [7]
    assert response.status_code == status
    assert response.content.decode().startswith("第1次读取|李四|x|已联系|")


class _Action(StrEnum):
    CLOSE = "close"


def _act(**kwargs: object) -> None:
    raise AssertionError("not reached")


def _step(read: Callable[[object, int], Record], action: str) -> HttpResponse:
    request = RequestFactory().post("/", {"action": action, "reason": "已办", "version": "3"})
    return _page(read).step(request, "王五", 1, _Action, _act, label=lambda a: "办结")


@override_settings(TEMPLATES=TEMPLATES)
def test_a_step_on_a_record_the_viewer_may_not_see_is_not_found_before_anything() -> None:
    def hidden(viewer: object, pk: int) -> Record:
        raise NotFound("未找到")

    with pytest.raises(NotFound):
        _step(hidden, "close")


@override_settings(TEMPLATES=TEMPLATES)
def test_an_unknown_action_is_refused_on_the_page_without_acting() -> None:
    response = _step(lambda viewer, pk: Record("路灯"), "delete")
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


def _posted(data: dict[str, str]) -> HttpRequest:
    request = RequestFactory().post("/", data)
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


@override_settings(TEMPLATES=TEMPLATES)
def test_the_page_of_a_key_is_the_record_the_viewer_reads() -> None:
    response = PAGE.show(RequestFactory().get("/"), "张三", 5)
    assert response.content.decode() == "记录5|张三|||"


@override_settings(TEMPLATES=TEMPLATES)
def test_a_form_taken_says_what_it_did_and_goes_back_to_the_page() -> None:
    reads: list[int] = []

    def read(viewer: object, pk: int) -> Record:
        reads.append(pk)
        return Record("路灯")

    request = _posted({"text": "已到现场"})
    page = RecordPage("record.html", lambda v, r: {}, read, "cases:appeal_detail")
    response = page.take(request, "王五", 9, lambda: 3, said=lambda n: f"已关联 {n} 件诉求")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:appeal_detail", args=[9])
    assert [m.message for m in get_messages(request)] == ["已关联 3 件诉求"]
    assert reads == [9]  # read once, before acting


@override_settings(TEMPLATES=TEMPLATES)
def test_a_form_refused_shows_the_page_again_with_what_was_typed() -> None:
    reads: list[int] = []

    def read(viewer: object, pk: int) -> Record:
        reads.append(pk)
        return Record(f"第{len(reads)}次读取")

    def act() -> None:
        raise ValidationFailed("请选择诉求")

    request = _posted({"reason": "重复"})
    response = _page(read).take(request, "王五", 4, act, said="不会说")
    assert response.status_code == 400
    assert response.content.decode() == "第2次读取|王五|请选择诉求|重复|"
    assert reads == [4, 4]  # before acting, and afresh for the page
    assert list(get_messages(request)) == []


@override_settings(TEMPLATES=TEMPLATES)
def test_a_page_that_costs_more_to_read_is_only_checked_before_a_form_is_taken() -> None:
    calls: list[str] = []

    def read(viewer: object, pk: int) -> Record:
        calls.append("read")
        return Record("项目")

    def check(viewer: object, pk: int) -> None:
        calls.append("check")
        if pk != 1:
            raise NotFound("未找到")

    page = RecordPage("record.html", lambda v, r: {}, read, "cases:appeal_detail", check=check)
    with pytest.raises(NotFound):
        page.take(_posted({}), "王五", 2, lambda: calls.append("act"), said="")
    assert calls == ["check"]
    calls.clear()
    page.take(_posted({}), "王五", 1, lambda: calls.append("act"), said="已办")
    assert calls == ["check", "act"]
