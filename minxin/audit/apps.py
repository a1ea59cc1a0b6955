from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "minxin.audit"
    label = "audit"
    verbose_name = "安全审计"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
