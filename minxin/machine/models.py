"""The abstract halves of every state machine: the subject it changes and the event it writes.

A subject has a `status` (its own choices, its default the status the creating action leads
to) and a `version` for optimistic concurrency. An event is append-only: the concrete model
adds a PROTECT key to its subject (and anything else it records) and takes its `Meta` from
`event_meta`, its admin is registered by `admin.event_admin`, and its app's migrations apply
`operations.AppendOnly` to it."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import optional_key


class VersionedModel(models.Model):
    """A record whose status only the machine's applier writes; every change adds one to
    `version`, so a form rendered at an older version is refused rather than overwriting."""

    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="%(class)s_version_positive"),
        ]


def status_timed(status: str, field: str, *, name: str) -> models.CheckConstraint:
    """A subject's constraint: the time `field` (when it reached `status`) is set in that status
    and only in it."""
    return models.CheckConstraint(
        condition=(Q(status=status) & Q(**{f"{field}__isnull": False}))
        | (~Q(status=status) & Q(**{f"{field}__isnull": True})),
        name=name,
    )


class Event(models.Model):
    """Who did what, when, from which status to which, and why. Never changed or deleted."""

    actor = optional_key(User, "操作人")
    actor_role = models.CharField("操作角色", max_length=20)
    action = models.CharField("动作", max_length=30)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    reason = models.TextField("说明", blank=True)
    payload = models.JSONField("附加数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


def event_meta(label: str, *, subject: str, index: str) -> type[Event.Meta]:
    """The `Meta` of a concrete event: `label` its name (one and many alike), its rows ordered
    as every event's and indexed by subject and time under the name `index`."""

    class Meta(Event.Meta):
        verbose_name = label
        verbose_name_plural = label
        indexes = [models.Index(fields=[subject, "created_at"], name=index)]

    return Meta
