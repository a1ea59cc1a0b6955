"""The session engine: a database out of reach while a session is saved is a server error (a
500, which a browser or client tries again), not Django's 400 「session deleted」 — a citizen's
form posted while PostgreSQL restarts (tests/deploy/test_chaos.py) was refused with a bare
"Bad Request". A session really deleted meanwhile is still the 400."""

from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import OperationalError, transaction
from django.test import Client

from minxin.core.session_store import SessionStore


def test_the_engine_is_ours() -> None:
    assert settings.SESSION_ENGINE == "minxin.core.session_store"


@pytest.mark.django_db
def test_a_session_saved_while_the_database_is_down_is_a_server_error() -> None:
    session = SessionStore()
    session["a"] = 1
    session.save()
    session["a"] = 2
    with (
        mock.patch.object(Session, "save", side_effect=OperationalError("server closed")),
        pytest.raises(OperationalError),
    ):
        session.save()


@pytest.mark.django_db
def test_a_session_deleted_meanwhile_is_still_an_update_error() -> None:
    session = SessionStore()
    session["a"] = 1
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()
    session["a"] = 2
    with pytest.raises(UpdateError):
        session.save()


@pytest.mark.django_db
def test_the_citizen_form_answers_500_not_400_when_its_session_cannot_be_saved(
    district,
) -> None:
    client = Client(raise_request_exception=False)
    assert client.session.session_key  # a browser with a session already
    page = client.get("/appeal/new/")
    assert page.status_code == 200
    key = page.context["submission_key"]
    with mock.patch.object(Session, "save", side_effect=OperationalError("server closed")):
        response = client.post(
            "/appeal/new/",
            {
                "submission_key": key,
                "kind": "complaint",
                "title": "路灯不亮",
                "content": "桂花路12号路灯不亮已经一周。",
                "appellant_phone": "13812345678",
            },
        )
    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_save_of_what_was_committed_writes_nothing_and_a_rolled_back_one_writes_again() -> None:
    session = SessionStore()
    session["grant"] = [1]
    with transaction.atomic():  # as the citizen's receipt is saved, inside the appeal's
        session.save()
    with mock.patch.object(Session, "save") as write:
        session.save()  # the middleware's save at the end of the request
    assert not write.called
    session["grant"] = [1, 2]
    session.save()
    assert SessionStore(session.session_key)["grant"] == [1, 2]

    lost = SessionStore()
    lost["grant"] = [3]
    lost.save()
    lost["grant"] = [3, 4]
    with pytest.raises(RuntimeError), transaction.atomic():
        lost.save()
        raise RuntimeError("the appeal's transaction failed")
    lost.save()  # not skipped: the rolled-back write never reached the table
    assert SessionStore(lost.session_key)["grant"] == [3, 4]
