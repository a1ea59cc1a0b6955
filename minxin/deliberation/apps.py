from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "minxin.deliberation"
    label = "deliberation"
    verbose_name = "议事厅"
