"""Intake writes an appeal in one transaction: the appeal, its event, its outbox rows and the
channel's own record commit together (a commit is a disk flush: the cost that bounds intake),
the citizen's browser session (its receipt) included."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from minxin.cases.models import Appeal
from minxin.directory.models import jurisdiction_default
from minxin.open311.models import Open311Request
from tests.citizen.test_submit import SUBMIT, form, fresh_key

from .conftest import BASE, post_form

pytestmark = pytest.mark.django_db(transaction=True)

WRITES = ("INSERT", "UPDATE", "DELETE")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@contextmanager
def transactions(counted: list[str]) -> Iterator[None]:
    """Each commit of an outermost atomic block, and each write made outside one (which the
    database commits on its own), in `counted`."""
    commit = connection.commit

    def counting_commit() -> None:
        counted.append("commit")
        commit()

    def autocommitted(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not connection.in_atomic_block and sql.lstrip().upper().startswith(WRITES):
            counted.append(" ".join(sql.split()[:3]))
        return execute(sql, params, many, context)

    connection.commit = counting_commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(autocommitted):
            yield
    finally:
        del connection.commit


def test_an_open311_post_commits_once(client, district, api_key, rate_limits, settings):
    settings.TASKS = DB_TASKS
    client.post(f"{BASE}/requests.json", {**post_form(district), "api_key": api_key})
    counted: list[str] = []  # the key's first use is noted above; then at most once a minute
    with transactions(counted):
        response = client.post(f"{BASE}/requests.json", {**post_form(district), "api_key": api_key})
    assert response.status_code == 200, response.content
    assert counted == ["commit"]
    assert Open311Request.objects.count() == Appeal.objects.count() == 2


def test_a_citizens_form_commits_the_appeal_and_its_session_once(client, db, rate_limits, settings):
    settings.TASKS = DB_TASKS
    jurisdiction_default()  # the install's district, made on first use, exists before the form
    key = fresh_key(client)
    counted: list[str] = []
    with transactions(counted):
        response = client.post(SUBMIT, form(submission_key=key))
    assert response.status_code == 302
    assert counted == ["commit"]  # the appeal and the browser's session (its grant) together
    appeal = Appeal.objects.get()
    receipt = client.get(response["Location"]).content.decode()
    assert appeal.tracking_number in receipt and appeal.query_code in receipt
