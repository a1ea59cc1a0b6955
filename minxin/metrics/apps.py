from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "minxin.metrics"
    label = "metrics"
    verbose_name = "统计考核"
