"""The appellant's full number for those who must call (先行联系, 回访): one click, one logged
reveal (who, which unit, which appeal, when), visible to supervisors; masked everywhere else."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from minxin.cases import services
from minxin.cases.models import Appeal, PhoneReveal
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.builders import appeal_in, appeal_new

PHONE = "13812345678"  # the builders' appellant
MASKED = "138****5678"
HTMX = {"HTTP_HX_REQUEST": "true"}


def as_(district, key: str) -> Client:
    client = Client()
    client.force_login(district.user(key))
    return client


def reveal_url(appeal: Appeal) -> str:
    return reverse("cases:phone_reveal", args=[appeal.pk])


def detail_url(appeal: Appeal) -> str:
    return reverse("cases:appeal_detail", args=[appeal.pk])


def test_the_handler_reveals_the_number_in_one_click_and_it_is_logged(district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    handler = as_(district, "handler")

    page = handler.get(detail_url(appeal)).content.decode()
    assert MASKED in page and PHONE not in page
    assert reveal_url(appeal) in page and 'hx-post="' + reveal_url(appeal) in page

    response = handler.post(reveal_url(appeal), **HTMX)

    assert response.status_code == 200
    assert f'href="tel:{PHONE}"' in response.content.decode()
    reveal = PhoneReveal.objects.get()
    assert reveal.appeal_id == appeal.pk
    assert reveal.actor == district.user("handler")
    assert reveal.actor_unit == district.street_units[0]
    assert reveal.role == "handler"
    # The page itself stays masked: the number is shown only by a reveal.
    assert PHONE not in handler.get(detail_url(appeal)).content.decode()


def test_without_javascript_the_page_comes_back_with_the_number(district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)

    response = as_(district, "handler").post(reveal_url(appeal))

    assert response.status_code == 200
    assert f'href="tel:{PHONE}"' in response.content.decode()
    assert PhoneReveal.objects.count() == 1


@pytest.mark.parametrize("key", ["call_taker", "supervisor"])
def test_the_follow_up_callers_may_reveal_too(district, key):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    response = as_(district, key).post(reveal_url(appeal), **HTMX)
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert PhoneReveal.objects.get().actor == district.user(key)


@pytest.mark.parametrize("key", ["leader", "admin", "dispatcher"])
def test_roles_that_do_not_call_see_no_button_and_are_refused(district, key):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    client = as_(district, key)

    page = client.get(detail_url(appeal)).content.decode()
    response = client.post(reveal_url(appeal), **HTMX)

    assert reveal_url(appeal) not in page and PHONE not in page
    assert response.status_code == 404 and PHONE not in response.content.decode()
    assert not PhoneReveal.objects.exists()


def test_another_units_handler_gets_404_and_nothing_is_logged(district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    response = as_(district, "handler_other").post(reveal_url(appeal), **HTMX)
    assert response.status_code == 404
    assert not PhoneReveal.objects.exists()


def test_the_service_checks_role_scope_and_number(district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.phone_reveal(actor=district.user("leader"), appeal=appeal)
    with pytest.raises(NotFound):
        services.phone_reveal(actor=district.user("handler_other"), appeal=appeal)
    no_phone = appeal_new(district, appellant_phone="", is_anonymous=True)
    with pytest.raises(ValidationFailed):
        services.phone_reveal(actor=district.user("call_taker"), appeal=no_phone)
    assert not PhoneReveal.objects.exists()
    assert services.phone_reveal(actor=district.user("handler"), appeal=appeal) == PHONE
    assert PhoneReveal.objects.count() == 1


def test_supervisors_see_who_looked_on_the_appeal_and_on_their_page(district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    as_(district, "handler").post(reveal_url(appeal), **HTMX)
    supervisor = as_(district, "supervisor")

    card = supervisor.get(detail_url(appeal)).content.decode()
    listing = supervisor.get(reverse("cases:phone_reveals")).content.decode()

    assert "号码查看记录" in card and "handler" in card and "桂花坪街道办事处" in card
    assert appeal.tracking_number in listing and "handler" in listing
    assert PHONE not in card and PHONE not in listing
    handler = as_(district, "handler")
    assert "号码查看记录" not in handler.get(detail_url(appeal)).content.decode()
    assert handler.get(reverse("cases:phone_reveals")).status_code == 404


def test_reveals_are_append_only_on_postgresql(district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    services.phone_reveal(actor=district.user("handler"), appeal=appeal)
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    for sql in ("UPDATE cases_phonereveal SET role = 'x'", "DELETE FROM cases_phonereveal"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert PhoneReveal.objects.count() == 1
