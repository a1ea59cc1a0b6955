"""The appeal history is append-only, and appeals are never deleted.

On PostgreSQL the database itself refuses UPDATE and DELETE on cases_appealevent (a trigger,
migration cases 0002). SQLite has no such trigger (the migration installs it on PostgreSQL
only), so there the protection is the application's: PROTECT keys, a read-only admin, and
services that only ever insert events. Both halves are asserted on whichever database runs.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.db.migrations.state import ProjectState
from django.db.models import PROTECT, ForeignKey, ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from minxin.cases.admin import AppealAdmin, AppealEventAdmin
from minxin.cases.models import Appeal, AppealEvent, Assignment, Reply
from minxin.cases.workflow import AppealStatus
from minxin.machine.operations import AppendOnly
from tests.builders import appeal_in, appeal_new


def _rows(appeal: Appeal) -> list[tuple[object, ...]]:
    return list(
        AppealEvent.objects.filter(appeal=appeal)
        .order_by("id")
        .values_list("id", "action", "from_status", "to_status", "reason", "actor_id")
    )


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'cases_appealevent'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'cases_appealevent'"
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_appealevent SET reason = 'x'",
        "UPDATE cases_appealevent SET to_status = 'archived' WHERE action = 'receive'",
        "DELETE FROM cases_appealevent",
    ],
)
def test_the_database_refuses_to_rewrite_history_on_postgresql(district, sql):
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    before = _rows(appeal)
    assert len(before) == 3
    if connection.vendor == "postgresql":
        assert "cases_appealevent_append_only" in _trigger_names()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'minxin_append_only'")
            assert cursor.fetchone() is not None
        with (
            pytest.raises(DatabaseError) as caught,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
        assert "append-only" in str(caught.value)
    else:
        # No trigger here: the database would let a raw statement through (try it and undo
        # it), which is why nothing in minxin issues one and the app-level guards below hold.
        assert connection.vendor == "sqlite"
        assert _trigger_names() == set()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
            transaction.set_rollback(True)
    assert _rows(appeal) == before


def test_the_orm_cannot_rewrite_history_on_postgresql(district):
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    before = _rows(appeal)
    event = AppealEvent.objects.get(appeal=appeal)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AppealEvent.objects.filter(pk=event.pk).update(reason="改写")
        with pytest.raises(DatabaseError), transaction.atomic():
            event.reason = "改写"
            event.save()
        with pytest.raises(DatabaseError), transaction.atomic():
            AppealEvent.objects.filter(pk=event.pk).delete()
    else:
        assert _trigger_names() == set()
    assert _rows(appeal) == before


def test_the_migration_installs_and_removes_the_trigger(db):
    migration = importlib.import_module("minxin.cases.migrations.0002_event_append_only")
    (operation,) = migration.Migration.operations
    assert isinstance(operation, AppendOnly)
    state = ProjectState.from_apps(apps)
    if connection.vendor == "postgresql":
        # DDL is transactional on PostgreSQL: take the trigger away and put it back, then undo.
        with transaction.atomic():
            with connection.schema_editor() as editor:
                operation.database_backwards("cases", editor, state, state)
            assert _trigger_names() == set()
            with connection.schema_editor() as editor:
                operation.database_forwards("cases", editor, state, state)
            assert _trigger_names() == {"cases_appealevent_append_only"}
            transaction.set_rollback(True)
        assert _trigger_names() == {"cases_appealevent_append_only"}
    else:
        # Elsewhere the migration does nothing at all.
        def refuse(sql, params=()):
            raise AssertionError(f"executed on {connection.vendor}: {sql}")

        fake = SimpleNamespace(connection=connection, execute=refuse)
        operation.database_forwards("cases", fake, state, state)
        operation.database_backwards("cases", fake, state, state)
        assert _trigger_names() == set()


# --- the admin: look, never change ---------------------------------------------------------


def test_the_event_admin_refuses_change_add_and_delete(district):
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    event = AppealEvent.objects.get(appeal=appeal)
    model_admin = admin.site._registry[AppealEvent]
    assert isinstance(model_admin, AppealEventAdmin)
    request = RequestFactory().get("/admin/")
    request.user = district.user("admin")
    assert request.user.is_superuser
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert model_admin.has_add_permission(request) is False


def test_the_appeal_admin_refuses_delete(district):
    appeal = appeal_in(district, AppealStatus.RECEIVED)
    model_admin = admin.site._registry[Appeal]
    assert isinstance(model_admin, AppealAdmin)
    request = RequestFactory().get("/admin/")
    request.user = district.user("admin")
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, appeal) is False
    assert model_admin.has_change_permission(request, appeal) is False
    assert model_admin.has_add_permission(request) is False
    # No bulk "delete selected" either.
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_pages_of_an_event_are_read_only(client, district):
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    before = _rows(appeal)
    client.force_login(district.user("admin"))

    change_url = reverse("admin:cases_appealevent_change", args=[event.pk])
    page = client.get(change_url)
    assert page.status_code in (200, 403)
    if page.status_code == 200:
        html = page.content.decode()
        assert 'name="_save"' not in html  # a view, not a form
        assert "readonly" in html
    posted = client.post(change_url, {"reason": "改写", "action": "archive", "_save": "保存"})
    assert posted.status_code == 403

    delete_url = reverse("admin:cases_appealevent_delete", args=[event.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403

    changelist = reverse("admin:cases_appealevent_changelist")
    assert client.get(changelist).status_code == 200
    bulk = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert client.get(reverse("admin:cases_appealevent_add")).status_code == 403
    assert _rows(appeal) == before


def test_the_admin_pages_of_an_appeal_cannot_delete_or_change_it(client, district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("admin"))
    delete_url = reverse("admin:cases_appeal_delete", args=[appeal.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:cases_appeal_change", args=[appeal.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "13812345678" not in html  # personal data is masked in the admin as well
    assert client.post(change_url, {"status": "archived", "_save": "保存"}).status_code == 403
    changelist = reverse("admin:cases_appeal_changelist")
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [appeal.pk], "post": "yes"},
    )
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.status, after.version) == (appeal.status, appeal.version)


# --- the ORM: history keys are PROTECT -------------------------------------------------------


def test_an_appeal_with_history_cannot_be_deleted_through_the_orm(district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    before = _rows(appeal)
    with pytest.raises(ProtectedError), transaction.atomic():
        appeal.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).delete()
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert _rows(appeal) == before
    assert Assignment.objects.filter(appeal=appeal).exists()
    assert Reply.objects.filter(appeal=appeal).exists()


def test_an_original_with_merged_duplicates_cannot_be_deleted(district):
    duplicate = appeal_in(district, AppealStatus.MERGED)
    original = duplicate.merged_into
    assert original is not None
    with pytest.raises(ProtectedError), transaction.atomic():
        original.delete()
    assert Appeal.objects.filter(pk=original.pk).exists()


def test_every_key_on_history_is_protect():
    for model in (AppealEvent, Assignment, Reply):
        for field in model._meta.get_fields():
            if isinstance(field, ForeignKey):
                assert field.remote_field.on_delete is PROTECT, (model, field.name)


def test_a_fresh_appeal_has_exactly_its_receive_event(district):
    appeal = appeal_new(district)
    assert [(a, f, t) for _, a, f, t, _, _ in _rows(appeal)] == [("receive", "", "received")]
