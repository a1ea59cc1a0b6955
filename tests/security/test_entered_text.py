"""Issue 16 item 5: one normaliser for every text that enters (core/text.py). NUL and control
characters gave a 500 on PostgreSQL (the hotline's one-time key, a list's search box), and a
right-to-left override showed a title as `维修exe.jpg`. Every entry path: the citizen's form,
the board, the hotline console, GET filters and paths, Open311, the Excel import, a reason."""

import json

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.middleware import query_normalise
from minxin.core.text import line_clean, text_clean, text_normalise
from minxin.imports.reading import cell_text
from minxin.open311.services import api_key_create
from tests.builders import District, appeal_in

RLO = "\u202e"
HOSTILE = f"维修\x00{RLO}gpj.exe\u200b\ufeff\u2066x\u2069\x07\x1b\x85"
CLEAN = "维修gpj.exex"


# --- the normaliser ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b\x07c\x1bd\x7fe\x9ff", "abcdef"),  # C0, DEL, C1
        ("一\t二\n三\r四", "一\t二\n三\r四"),  # tab and newlines stay
        (f"维修{RLO}gpj.exe", "维修gpj.exe"),  # the override that hid an .exe
        ("a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i", "abcdefghi"),
        ("a\u200eb\u200fc\u061cd", "abcd"),  # bidirectional marks
        ("路\u200b灯\u200c不\u200d亮\u2060\ufeff\u180e", "路灯不亮"),  # zero-width
        ("tag\U000e0041\U000e007f", "tag"),  # invisible tag characters
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("line\u2028para\u2029end", "line\npara\nend"),
        ("e\u0301 Å", "é Å"),  # NFC
        ("𠀀䶮 GB18030", "𠀀䶮 GB18030"),  # characters outside the BMP and CJK ext. A stay
        (None, ""),
    ],
)
def test_the_normaliser(raw, clean):
    assert text_normalise(raw) == clean


def test_the_services_checks_use_it():
    assert line_clean(f" {HOSTILE}\n二 ", label="标题", max_length=50) == f"{CLEAN} 二"
    assert text_clean(f"{HOSTILE}\n二", label="内容", max_length=50) == f"{CLEAN}\n二"


def test_a_query_is_normalised_but_not_a_password():
    query = QueryDict(mutable=True)
    query.setlist("title", [HOSTILE, "b\x00"])
    query["new_password1"] = f"pass{RLO}\x00word"
    clean = query_normalise(query)
    assert clean.getlist("title") == [CLEAN, "b"]
    assert clean["new_password1"] == f"pass{RLO}\x00word"
    assert not clean._mutable


# --- every entry path (run on PostgreSQL too: a NUL there was a 500) --------------------

PHONE = "13812345678"


def _only_appeal() -> Appeal:
    appeal = Appeal.objects.get()
    for text in (appeal.title, appeal.content, appeal.place_text, appeal.appellant_name):
        assert text_normalise(text) == text, text
    return appeal


@pytest.mark.parametrize(
    "field", ["title", "content", "place_text", "appellant_name", "submission_key"]
)
def test_citizen_form(client: Client, district: District, field: str) -> None:
    form = {"kind": "complaint", "title": "路灯", "content": "东门路灯", "appellant_phone": PHONE}
    form[field] = form.get(field, "") + HOSTILE
    response = client.post(reverse("citizen:submit"), form)
    assert response.status_code == 302
    appeal = _only_appeal()
    if field == "title":
        assert appeal.title == "路灯" + CLEAN


@pytest.mark.parametrize("field", ["title", "content", "nickname", "submission_key"])
def test_board_form(client: Client, district: District, field: str) -> None:
    form = {"kind": "complaint", "title": "路灯", "content": "东门路灯", "nickname": "居民"}
    form[field] = form.get(field, "") + HOSTILE
    response = client.post(reverse("board:post_new"), form)
    assert response.status_code == 302
    appeal = _only_appeal()
    if field == "content":
        assert appeal.content == "东门路灯" + CLEAN


@pytest.mark.parametrize(
    "field",
    ["title", "content", "place_text", "appellant_name", "appellant_phone", "submission_key"],
)
def test_hotline_console(client: Client, district: District, field: str) -> None:
    client.force_login(district.user("call_taker"))
    form = {
        "kind": "complaint",
        "urgency": "normal",
        "title": "路灯",
        "content": "东门路灯",
        "appellant_phone": PHONE,
        "submission_key": "k" * 32,
    }
    form[field] = form[field] + HOSTILE if field in form else HOSTILE
    response = client.post(reverse("intake:hotline"), form)
    if field == "appellant_phone":  # still not a phone number: refused, nothing stored
        assert response.status_code == 400
        assert not Appeal.objects.exists()
    else:
        assert response.status_code == 302
        _only_appeal()


def test_hotline_callers_history(client: Client, district: District) -> None:
    client.force_login(district.user("call_taker"))
    response = client.post(reverse("intake:caller_history"), {"appellant_phone": PHONE + HOSTILE})
    assert response.status_code == 200


def test_a_search_box_and_a_path(client: Client, district: District) -> None:
    client.force_login(district.user("dispatcher"))
    assert client.get(reverse("cases:appeal_list"), {"q": f"a\x00b{RLO}"}).status_code == 200
    assert client.get(reverse("board:board_list"), {"order": "\x00"}).status_code == 200
    response = client.get("/track/2026%00/")  # read as /track/2026/: not granted
    assert response.status_code == 302


def test_tracking_form(client: Client, district: District) -> None:
    response = client.post(
        reverse("citizen:track"), {"tracking_number": "1\x00", "query_code": "\x00"}
    )
    assert response.status_code == 404


def test_a_reason(client: Client, district: District) -> None:
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    services.appeal_act(
        appeal_id=appeal.pk,
        action=Action.MARK_INVALID,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=appeal.version,
        reason=f"广告{HOSTILE}",
    )
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert event.reason == f"广告{CLEAN}"


@pytest.mark.parametrize("fmt", ["form", "json"])
def test_open311(client: Client, district: District, fmt: str) -> None:
    key = api_key_create(name="客户端")[1]
    data = {
        "api_key": key,
        "service_code": str(district.category.pk),
        "address_string": f"北门{HOSTILE}",
        "description": f"垃圾{HOSTILE}",
        "last_name": f"张{RLO}",
    }
    if fmt == "json":
        body = json.dumps(data).replace("\\u0000", "\\u0000\\ud800")  # a lone surrogate too
        response = client.post("/open311/v2/requests.json", body, content_type="application/json")
    else:
        response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == 200, response.content
    appeal = _only_appeal()
    assert appeal.content == f"垃圾{CLEAN}"
    assert appeal.place_text == f"北门{CLEAN}"


def test_the_excel_import_reads_through_it():
    assert cell_text(f"维修{RLO}gpj.exe\x00") == "维修gpj.exe"
