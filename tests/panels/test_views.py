"""The screens: the office invites a panellist and sees the link once; the panellist opens it
(the code leaves the URL for the session), scores a unit, cannot score it twice; a guessed
code is refused; the results are public only once closed; a deputy seated by account scores
from the console, anyone else is refused; the demo seeds an evaluation."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.panels.models import Evaluation, Panellist, Sheet
from minxin.panels.services import evaluation_act
from minxin.panels.workflow import EvaluationAction

from .builders import deputy_account, evaluation_new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(public_pages):
    pass


def test_invite_score_and_publish(district):
    d = district
    e = evaluation_new(d, at=timezone.now() - timedelta(hours=1))
    office = Client()
    office.force_login(d.user("supervisor"))
    act = reverse("panels:act", args=[e.pk])
    page = office.post(act, {"action": "invite", "name": "王秀兰", "group": "deputy"})
    text = page.content.decode()
    assert page.status_code == 200 and "邀请链接" in text
    link = text.split("?code=")[1].split("<")[0].split('"')[0]
    assert office.post(act, {"action": "open"}).status_code == 302
    panellist = Client()
    joined = panellist.get(reverse("public_panels:join") + f"?code={link}")
    assert joined.status_code == 302 and joined.url == reverse("public_panels:sheet")
    a, b, c = e.items.order_by("position")
    sheet = reverse("public_panels:sheet")
    unit = d.departments[0].pk
    bad = panellist.post(
        sheet, {"unit": unit, f"item_{a.pk}": 8, f"item_{b.pk}": 8, f"item_{c.pk}": 25}
    )
    assert bad.status_code == 400 and "应在0到20之间" in bad.content.decode()
    ok = panellist.post(
        sheet, {"unit": unit, f"item_{a.pk}": 8, f"item_{b.pk}": 8, f"item_{c.pk}": 15}
    )
    assert ok.status_code == 302
    again = panellist.post(
        sheet, {"unit": unit, f"item_{a.pk}": 1, f"item_{b.pk}": 1, f"item_{c.pk}": 1}
    )
    assert again.status_code == 409 and "只能测评一次" in again.content.decode()
    assert Sheet.objects.count() == 1
    guess = Client().get(reverse("public_panels:join") + "?code=guess")
    assert guess.status_code == 403 and "评议人员名单" in guess.content.decode()
    results = reverse("public_panels:results", args=[e.pk])
    assert Client().get(results).status_code == 404
    Evaluation.objects.filter(pk=e.pk).update(  # test-only: the window ended
        closes_at=timezone.now() - timedelta(minutes=1), opens_at=timezone.now() - timedelta(days=1)
    )
    evaluation_act(actor=d.user("supervisor"), evaluation_id=e.pk, action=EvaluationAction.CLOSE)
    public = Client().get(results).content.decode()
    assert "王秀兰" not in public and "31" in public
    assert Client().get(results).status_code == 200
    other = Client()
    other.force_login(d.user("handler"))
    assert other.get(reverse("panels:detail", args=[e.pk])).status_code == 404


def test_a_deputy_seated_by_account_scores_from_the_console(district):
    d = district
    e = evaluation_new(d, at=timezone.now() - timedelta(hours=1))
    dep1, dep2 = deputy_account(1), deputy_account(2)
    office = Client()
    office.force_login(d.user("supervisor"))
    page = office.get(reverse("panels:detail", args=[e.pk])).content.decode()
    assert "data-seat" in page and "代表1" in page
    act = reverse("panels:act", args=[e.pk])
    seated = office.post(act, {"action": "seat", "user": dep1.pk})
    assert seated.status_code == 302
    page = office.get(reverse("panels:detail", args=[e.pk])).content.decode()
    assert "人大代表 代表1" in page and "账号登录" in page
    again = office.post(act, {"action": "seat", "user": dep1.pk})
    assert again.status_code == 400 and "已在本次测评" in again.content.decode()
    staff = office.post(act, {"action": "seat", "user": d.user("handler").pk})
    assert staff.status_code == 400 and "只能选择在任人大代表的账号" in staff.content.decode()
    assert Panellist.objects.filter(evaluation=e).count() == 1
    assert office.post(act, {"action": "open"}).status_code == 302

    deputy = Client()
    deputy.force_login(dep1)
    mine = deputy.get(reverse("panels:mine")).content.decode()
    assert e.title in mine and "已测评 0/2 个单位" in mine
    sheet = reverse("panels:my_sheet", args=[e.pk])
    assert "提交测评" in deputy.get(sheet).content.decode()
    a, b, c = e.items.order_by("position")
    unit = d.departments[0].pk
    bad = deputy.post(
        sheet, {"unit": unit, f"item_{a.pk}": 8, f"item_{b.pk}": "", f"item_{c.pk}": 9}
    )
    assert bad.status_code == 400 and "得分应为整数" in bad.content.decode()
    scores = {"unit": unit, f"item_{a.pk}": 8, f"item_{b.pk}": 7, f"item_{c.pk}": 15}
    assert deputy.post(sheet, scores).status_code == 302
    assert "已测评 1/2 个单位" in deputy.get(reverse("panels:mine")).content.decode()
    twice = deputy.post(sheet, scores)
    assert twice.status_code == 409 and "只能测评一次" in twice.content.decode()
    # Not on the panel: another deputy (403, nothing kept); staff do not have 我的测评 (404).
    outsider = Client()
    outsider.force_login(dep2)
    assert e.title not in outsider.get(reverse("panels:mine")).content.decode()
    for response in (outsider.get(sheet), outsider.post(sheet, scores)):
        assert response.status_code == 403
        assert "您不在本次测评的评议人员名单中" in response.content.decode()
    assert Sheet.objects.count() == 1
    assert office.get(reverse("panels:mine")).status_code == 404


def test_the_demo_seeds_an_evaluation():
    from minxin.demo.panels import panels_seed
    from minxin.panels.selectors import results

    call_command("seed_demo", appeals=0, verbosity=0, stdout=StringIO())
    assert panels_seed() == 1
    assert panels_seed() == 0
    e = Evaluation.objects.get()
    assert e.status == "closed"
    assert all(r.score and r.score.panellists == 8 for r in results(e))
    assert e.hearings.get().commitments.get().order_id
