from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class CoreConfig(AppConfig):
    name = "minxin.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.conf import settings

        from .checks import configuration_problems

        # gunicorn runs no system checks: a backend that cannot load stops every process here.
        problems = configuration_problems(
            caches=settings.CACHES, tasks=getattr(settings, "TASKS", {})
        )
        if problems:
            raise ImproperlyConfigured("；".join(problems))
