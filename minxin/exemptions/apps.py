from django.apps import AppConfig


class ExemptionsConfig(AppConfig):
    name = "minxin.exemptions"
    label = "exemptions"
    verbose_name = "考核申诉"
