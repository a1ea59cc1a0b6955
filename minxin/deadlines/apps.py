from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DeadlinesConfig(AppConfig):
    name = "minxin.deadlines"
    label = "deadlines"
    verbose_name = "办理时限"

    def ready(self) -> None:
        from . import signals
        from .models import DeadlinePolicy, WorkingDayOverride

        for signal in (post_save, post_delete):
            signal.connect(
                signals.override_changed,
                sender=WorkingDayOverride,
                dispatch_uid="deadlines_override_changed",
            )
            signal.connect(
                signals.policy_changed,
                sender=DeadlinePolicy,
                dispatch_uid="deadlines_policy_changed",
            )
