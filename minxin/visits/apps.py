from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "minxin.visits"
    label = "visits"
    verbose_name = "走访"
