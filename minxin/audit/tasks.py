"""Keeping the audit log to its retention: rows older than MINXIN_AUDIT_RETENTION_DAYS (never
fewer than 180) are removed once a day; nothing else ever deletes one."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from minxin.core.tasks import book_next_run
from minxin.machine.operations import trigger_name

from .models import AuditEvent

MIN_RETENTION_DAYS = 180
PRUNE_EVERY = timedelta(days=1)


def audit_prune(*, now: datetime | None = None) -> int:
    """Delete the rows past the retention; the number deleted. On PostgreSQL the table's
    append-only trigger is switched off for this one statement, inside the transaction (a
    failure leaves it on)."""
    days = max(MIN_RETENTION_DAYS, int(settings.MINXIN_AUDIT_RETENTION_DAYS))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = AuditEvent.objects.filter(created_at__lt=cutoff)
    with transaction.atomic():
        if connection.vendor != "postgresql":
            return old.delete()[0]
        table = AuditEvent._meta.db_table
        quoted = connection.ops.quote_name(table)
        trigger = connection.ops.quote_name(trigger_name(table))
        with connection.cursor() as cursor:
            # Rows inserted earlier in the transaction have their key checks pending (deferred),
            # which ALTER TABLE refuses: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER {trigger}")
            deleted = old.delete()[0]
            cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return deleted


@task()
def prune_audit_log_task(reschedule: bool = True) -> int:
    deleted = audit_prune()
    if reschedule:
        book_next_run(prune_audit_log_task, PRUNE_EVERY)
    return deleted
