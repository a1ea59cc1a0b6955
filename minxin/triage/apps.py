from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "minxin.triage"
    label = "triage"
    verbose_name = "快速甄别"
    default_auto_field = "django.db.models.BigAutoField"
