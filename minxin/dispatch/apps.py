from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "minxin.dispatch"
    label = "dispatch"
    verbose_name = "派单与路由"
