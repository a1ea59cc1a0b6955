"""The screens: the office invites a panellist and sees the link once; the panellist opens it
(the code leaves the URL for the session), scores a unit, cannot score it twice; a guessed
code is refused; the results are public only once closed; the demo seeds an evaluation."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.panels.models import Evaluation, Sheet
from minxin.panels.services import evaluation_act
from minxin.panels.workflow import EvaluationAction

from .builders import evaluation_new

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
