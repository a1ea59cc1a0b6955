from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    name = "minxin.proactive"
    label = "proactive"
    verbose_name = "未诉先办"
