from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "minxin.citizen"
    label = "citizen"
    verbose_name = "群众端"
