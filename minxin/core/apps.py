from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minxin.core"
    label = "core"
    verbose_name = "基础"
