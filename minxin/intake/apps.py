from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "minxin.intake"
    label = "intake"
    verbose_name = "受理渠道"
