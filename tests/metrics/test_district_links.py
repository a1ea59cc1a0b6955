"""The dashboard's figures link to the appeal list; a city's leader who picked a district (辖区
beside the period) lands on that district's appeals only, through the list's 辖区 filter,
which only the city's staff are offered (a district's staff are scoped to theirs already)."""

from typing import Any

import pytest
from django.urls import reverse

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.selectors import AppealFilters, appeal_list_for
from minxin.cases.workflow import AppealStatus
from minxin.directory.models import Jurisdiction
from minxin.metrics.models import Export, ExportStatus
from tests.builders import District, appeal_in, other_district_build

from .test_districts import DASHBOARD, b1_dispatched, client_for, sheet_rows

LIST = reverse("cases:appeal_list")
Both = tuple[list[Appeal], list[Appeal], Jurisdiction]


@pytest.fixture
def both(district: District) -> Both:
    """Two dispatched appeals of A3, and two of B1 (at a place in B1)."""
    b = other_district_build(district)
    a3 = [appeal_in(district, AppealStatus.DISPATCHED) for _ in range(2)]
    return a3, [b1_dispatched(district, b) for _ in range(2)], b


def figure_urls(response: Any) -> list[str]:
    data = response.context["data"]
    return [
        *(t["url"] for t in response.context["tiles"]),
        *(c["url"] for c in data["categories"]),
        *(u for r in data["regions"] for u in (r["receivedUrl"], r["overdueUrl"])),
        *data["sla"]["urls"].values(),
    ]


def listed(response: Any) -> set[int]:
    return {row["appeal"].pk for row in response.context["rows"]}


def test_a_picked_districts_figures_link_to_its_appeals_only(
    district: District, both: Both
) -> None:
    a3, b1, b = both
    client = client_for(district, "city_leader")
    picked = client.get(DASHBOARD, {"district": b.pk})
    urls = figure_urls(picked)
    assert urls and all(f"jurisdiction={b.pk}" in u for u in urls)
    received = next(t["url"] for t in picked.context["tiles"] if t["label"] == "受理量")
    assert listed(client.get(received)) == {a.pk for a in b1}
    # Every district: no filter, every district's appeals.
    everywhere = client.get(DASHBOARD)
    assert not any("jurisdiction=" in u for u in figure_urls(everywhere))
    received = next(t["url"] for t in everywhere.context["tiles"] if t["label"] == "受理量")
    assert listed(client.get(received)) == {a.pk for a in [*a3, *b1]}
    # A district's leader: the links as before (their list is theirs).
    own = client_for(district, "b_leader").get(DASHBOARD, {"district": b.pk})
    assert not any("jurisdiction=" in u for u in figure_urls(own))


def test_the_lists_district_filter_is_the_citys_only(district: District, both: Both) -> None:
    a3, b1, b = both
    a3_district = district.hotline.jurisdiction_id
    city = client_for(district, "city_leader")
    page = city.get(LIST, {"jurisdiction": a3_district})
    assert listed(page) == {a.pk for a in a3}
    html = page.content.decode()
    assert 'name="jurisdiction"' in html and "全部辖区" in html
    assert f'<option value="{a3_district}" selected>' in html
    # A district's leader is offered no district, and asking for another gets nothing of it.
    own = client_for(district, "b_leader").get(LIST, {"jurisdiction": a3_district})
    assert listed(own) == {a.pk for a in b1}
    assert 'name="jurisdiction"' not in own.content.decode()
    # The city's list of a district is the district's own list: one query, one plan (the
    # index appeal_juris on jurisdiction, status, time of receipt).
    for filters in (AppealFilters(), AppealFilters(status="open")):
        mine = appeal_list_for(user=district.user("b_leader"), filters=filters)
        picked = appeal_list_for(
            user=district.user("city_leader"),
            filters=AppealFilters(status=filters.status, jurisdiction_id=b.pk),
        )
        assert str(picked.query) == str(mine.query)


def test_an_install_of_one_district_offers_no_district(client: Any, district: District) -> None:
    """Not even to a leader of no district (who sees everything, which is the one district)."""
    leader = User.objects.create_user(username="city", role=Role.LEADER, display_name="市领导")
    client.force_login(leader)
    assert 'name="jurisdiction"' not in client.get(LIST).content.decode()


def test_the_ledger_of_a_list_filtered_by_district_holds_that_district_only(
    district: District,
    both: Both,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    _, b1, b = both
    url = reverse("metrics:ledger_export") + f"?jurisdiction={b.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(district, "city_leader").post(url)
    assert response.status_code == 302
    export = Export.objects.get(requested_by=district.user("city_leader"))
    assert export.status == ExportStatus.DONE, export.error
    assert export.params["jurisdiction"] == b.pk
    assert {row[0] for row in sheet_rows(export)[1:]} == {a.tracking_number for a in b1}
