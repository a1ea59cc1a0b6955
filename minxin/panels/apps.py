from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "minxin.panels"
    label = "panels"
    verbose_name = "背对背测评"
