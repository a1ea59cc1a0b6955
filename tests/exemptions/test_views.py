"""The pages: the appeal page's panel, the request form, the supervision office's list with
its decisions, the evidence photos; scope (a unit sees only its own) and Chinese 4xx."""

from django.urls import reverse

from minxin.cases.workflow import AppealStatus
from minxin.exemptions.models import Exemption
from minxin.exemptions.workflow import ExemptionStatus
from tests.builders import appeal_in
from tests.uploads import fake_jpg_upload, png_upload

from .builders import request


def _panel(client, appeal):
    return client.get(reverse("exemptions:appeal_panel", args=[appeal.pk]))


def _ask(client, appeal, **extra):
    data = {"kind": "dissatisfied", "ground": "unreasonable", "statement": "诉求超出政策范围。"}
    data.update(extra)
    return client.post(reverse("exemptions:request", args=[appeal.pk]), data)


def test_the_lead_unit_asks_from_the_appeal_page(client, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    client.force_login(d.user("handler"))
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert reverse("exemptions:appeal_panel", args=[appeal.pk]) in page
    panel = _panel(client, appeal).content.decode()
    assert "申请免考核" in panel and "不满意评价" in panel and "5个工作日" in panel
    response = _ask(client, appeal, photos=[png_upload()])
    assert response.status_code == 302
    x = Exemption.objects.get(appeal=appeal)
    assert x.status == ExemptionStatus.SUBMITTED and x.photos.count() == 1
    panel = _panel(client, appeal).content.decode()
    assert "待审核" in panel and "撤回申请" in panel and "提交申请" not in panel
    photo = client.get(reverse("exemptions:photo", args=[x.pk, x.photos.get().pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    again = _ask(client, appeal)
    assert again.status_code == 409 and "已有待审核" in again.content.decode()


def test_refusals_are_chinese_4xx(client, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    client.force_login(d.user("handler"))
    bad = _ask(client, appeal, photos=[fake_jpg_upload()])
    assert bad.status_code == 400 and "只能上传" in bad.content.decode()
    empty = _ask(client, appeal, statement="")
    assert empty.status_code == 400 and "申诉理由及证据说明" in empty.content.decode()
    overdue = _ask(client, appeal, kind="overdue")
    assert overdue.status_code == 400 and "未超过办结时限" in overdue.content.decode()
    client.force_login(d.user("handler_dept"))  # assisting: sees the appeal, may not ask
    assert _ask(client, appeal).status_code == 403
    assert _panel(client, appeal).content == b""
    client.force_login(d.user("handler_other"))
    assert _ask(client, appeal).status_code == 404
    assert _panel(client, appeal).status_code == 404
    assert not Exemption.objects.exists()


def test_nothing_to_ask_no_panel(client, district):
    d = district
    appeal = appeal_in(d, AppealStatus.RATED)
    for who in ("handler", "supervisor"):
        client.force_login(d.user(who))
        response = _panel(client, appeal)
        assert response.status_code == 200 and response.content == b""


def test_the_supervision_office_decides_from_its_list(client, district):
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    x = request(d, appeal)
    client.force_login(d.user("supervisor"))
    home = client.get(reverse("exemptions:list"))
    page = home.content.decode()
    assert home.status_code == 200 and appeal.tracking_number in page
    assert "批准" in page and "不予批准" in page and 'href="/console/exemptions/"' in page
    act = reverse("exemptions:act", args=[x.pk, "refuse"])
    missing = client.post(act, {"version": x.version, "reason": ""})
    assert missing.status_code == 400 and "请填写不予批准的理由" in missing.content.decode()
    stale = client.post(act, {"version": x.version + 1, "reason": "理由不成立"})
    assert stale.status_code == 409 and "已被他人更新" in stale.content.decode()
    approve = reverse("exemptions:act", args=[x.pk, "approve"])
    done = client.post(approve, {"version": x.version, "reason": "经核实理由成立"})
    assert done.status_code == 302 and done["Location"] == reverse("exemptions:list")
    assert Exemption.objects.get(pk=x.pk).status == ExemptionStatus.APPROVED
    waiting = client.get(reverse("exemptions:list")).content.decode()
    assert f'data-exemption="{x.pk}"' not in waiting and "没有待审核的考核申诉" in waiting
    decided = client.get(reverse("exemptions:list"), {"status": "approved"}).content.decode()
    assert appeal.tracking_number in decided and "经核实理由成立" in decided
    # The appeal page shows the decision, to the unit too.
    client.force_login(d.user("handler"))
    panel = _panel(client, appeal).content.decode()
    assert "已批准" in panel and "经核实理由成立" in panel and "提交申请" not in panel


def test_scope(client, district):
    d = district
    x = request(d, appeal_in(d, AppealStatus.FOLLOW_UP))
    client.force_login(d.user("handler"))
    own = client.get(reverse("exemptions:list")).content.decode()
    assert x.appeal.tracking_number in own and "批准</button>" not in own
    client.force_login(d.user("handler_other"))
    other = client.get(reverse("exemptions:list"))
    assert other.status_code == 200 and x.appeal.tracking_number not in other.content.decode()
    approve = reverse("exemptions:act", args=[x.pk, "approve"])
    assert client.post(approve, {"reason": "好"}).status_code == 404
    withdraw = reverse("exemptions:act", args=[x.pk, "withdraw"])
    assert client.post(withdraw).status_code == 404
    client.force_login(d.user("handler"))
    assert client.post(approve, {"reason": "好"}).status_code == 403
    for who in ("dispatcher", "call_taker"):
        client.force_login(d.user(who))
        assert client.get(reverse("exemptions:list")).status_code == 404
    client.force_login(d.user("leader"))
    seen = client.get(reverse("exemptions:list")).content.decode()
    assert x.appeal.tracking_number in seen and "不予批准</button>" not in seen
    client.force_login(d.user("handler"))
    gone = client.post(withdraw, {"version": x.version, "back": "appeal"})
    assert gone.status_code == 302 and gone["Location"].endswith(f"/{x.appeal_id}/")
    assert Exemption.objects.get(pk=x.pk).status == ExemptionStatus.WITHDRAWN
