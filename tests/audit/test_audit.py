"""The audit log: what is written, that it cannot be changed (PostgreSQL), who reads it, its
search, pages and export."""

from io import BytesIO

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from openpyxl import load_workbook

from minxin.accounts.roles import Role
from minxin.audit.models import AuditEvent, AuditKind
from minxin.audit.services import audit_record

LOGIN = reverse("accounts:login")
LIST = reverse("audit:list")


def test_login_failure_and_logout_are_recorded(client, district):
    client.post(LOGIN, {"username": "dispatcher", "password": "nope"}, REMOTE_ADDR="10.2.0.1")
    client.post(
        LOGIN, {"username": "dispatcher", "password": "pw-dispatcher"}, REMOTE_ADDR="10.2.0.1"
    )
    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.2.0.1")
    rows = list(AuditEvent.objects.order_by("id").values_list("kind", "username", "ip_address"))
    assert rows == [
        (AuditKind.LOGIN_FAILED, "dispatcher", "10.2.0.1"),
        (AuditKind.LOGIN, "dispatcher", "10.2.0.1"),
        (AuditKind.LOGOUT, "dispatcher", "10.2.0.1"),
    ]
    # The password typed is never kept.
    assert "nope" not in str(list(AuditEvent.objects.values_list("payload", "summary")))


def test_a_change_of_role_in_the_admin_is_a_permission_change(client, district):
    admin = district.user("admin")
    handler = district.user("handler")
    client.force_login(admin)
    url = reverse("admin:accounts_user_change", args=[handler.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data |= {
        "role": Role.DISPATCHER,
        "unit": handler.unit_id,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "groups": [],
        "user_permissions": [],
    }
    data = {k: v for k, v in data.items() if not isinstance(v, (list, tuple)) or v}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(kind=AuditKind.PERMISSION_CHANGE)
    assert event.actor == admin and "角色" in event.summary and "handler" in event.target


def test_an_admin_change_elsewhere_is_recorded(client, district):
    from minxin.directory.models import Unit

    client.force_login(district.user("admin"))
    unit = district.departments[0]
    url = reverse("admin:directory_unit_change", args=[unit.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["short_name"] = "新简称"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Unit.objects.get(pk=unit.pk).short_name == "新简称"
    event = AuditEvent.objects.get(kind=AuditKind.ADMIN_CHANGE)
    assert "简称" in event.summary


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_log_refuses_update_and_delete_on_postgresql(district):
    event = audit_record(kind=AuditKind.LOGIN, actor=district.user("handler"))
    for change in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with (
            pytest.raises((DatabaseError, IntegrityError, InternalError)),
            transaction.atomic(),
        ):
            change()
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("admin", 200),
        ("leader", 404),
        ("dispatcher", 404),
        ("handler", 404),
        ("call_taker", 404),
    ],
)
def test_who_reads_the_log(client, district, who, status):
    client.force_login(district.user(who))
    assert client.get(LIST).status_code == status
    assert client.get(reverse("audit:export")).status_code == status


def test_search_and_pages(client, district, django_assert_max_num_queries):
    for n in range(60):
        audit_record(kind=AuditKind.LOGIN_FAILED, username=f"guess{n}")
    audit_record(kind=AuditKind.LOCKED_OUT, username="guess7", summary="锁定")
    client.force_login(district.user("supervisor"))
    first = client.get(LIST)
    assert first.status_code == 200
    assert len(first.context["page"].object_list) == 50
    assert client.get(LIST, {"page": 2}).context["page"].number == 2
    only = client.get(LIST, {"kind": "locked_out"}).context["page"].object_list
    assert [e.username for e in only] == ["guess7"]
    named = client.get(LIST, {"username": "guess7"}).context["page"].object_list
    assert {e.kind for e in named} == {AuditKind.LOGIN_FAILED, AuditKind.LOCKED_OUT}
    with django_assert_max_num_queries(12):
        client.get(LIST, {"text": "guess1", "since": "2020-01-01", "until": "2099-12-31"})


def test_the_export_is_a_sheet_whose_text_cannot_run_as_a_formula(client, district):
    audit_record(kind=AuditKind.LOGIN_FAILED, username='=HYPERLINK("http://e.vil","x")')
    client.force_login(district.user("admin"))
    response = client.get(reverse("audit:export"), {"kind": "login_failed"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "账号")
    assert rows[1][2] == '\'=HYPERLINK("http://e.vil","x")'
    # The time is an Excel date to the second, not text (issue 14).
    assert sheet.cell(row=2, column=1).is_date
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd hh:mm:ss"
    # The time is an Excel date to the second, not text (issue 14).
    assert sheet.cell(row=2, column=1).is_date
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd hh:mm:ss"
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, username="admin").exists()


def test_the_retention_is_never_below_180_days(settings):
    assert settings.MINXIN_AUDIT_RETENTION_DAYS >= 180


def test_a_phone_reveal_is_in_the_audit_log(district):
    from minxin.cases import services
    from minxin.cases.workflow import AppealStatus
    from tests.builders import appeal_in

    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    services.phone_reveal(actor=district.user("handler"), appeal=appeal)
    event = AuditEvent.objects.get(kind=AuditKind.PHONE_REVEAL)
    assert event.username == "handler" and appeal.tracking_number in event.target
    assert appeal.appellant_phone not in event.summary + event.target + str(event.payload)


def test_pruning_keeps_at_least_180_days(settings, district):
    from datetime import timedelta

    from django.utils import timezone

    from minxin.audit.tasks import audit_prune, prune_audit_log_task

    settings.MINXIN_AUDIT_RETENTION_DAYS = 30  # asked for less: 180 all the same
    now = timezone.now()
    for days in (10, 179, 181, 400):
        AuditEvent.objects.create(
            kind=AuditKind.LOGIN, username=f"old{days}", created_at=now - timedelta(days=days)
        )
    assert audit_prune(now=now) == 2
    left = set(AuditEvent.objects.values_list("username", flat=True))
    assert {"old10", "old179"} <= left and not {"old181", "old400"} & left
    assert prune_audit_log_task.call(reschedule=False) == 0
    if connection.vendor == "postgresql":  # the trigger is back on
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.all().delete()


def test_deleting_several_objects_in_the_admin_writes_a_row_for_each(client, district):
    """The admin logs a deletion of several objects with one bulk insert (no post_save): the
    删除所选 action writes the audit rows itself, one for each."""
    from datetime import date

    from minxin.deadlines.models import WorkingDayOverride

    days = [
        WorkingDayOverride.objects.create(date=date(2031, 1, d), is_working_day=True, note="测试")
        for d in (4, 5)
    ]
    client.force_login(district.user("admin"))
    response = client.post(
        reverse("admin:deadlines_workingdayoverride_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"},
    )
    assert response.status_code == 302
    assert not WorkingDayOverride.objects.exists()
    rows = AuditEvent.objects.filter(kind=AuditKind.ADMIN_CHANGE, summary__startswith="删除")
    assert rows.count() == 2 and {r.username for r in rows} == {"admin"}


def test_deleting_one_object_in_the_admin_writes_one_row(client, district):
    from datetime import date

    from minxin.deadlines.models import WorkingDayOverride

    day = WorkingDayOverride.objects.create(date=date(2031, 1, 6), is_working_day=True, note="x")
    client.force_login(district.user("admin"))
    client.post(
        reverse("admin:deadlines_workingdayoverride_changelist"),
        {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(kind=AuditKind.ADMIN_CHANGE).count() == 1
