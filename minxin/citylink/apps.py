from django.apps import AppConfig


class CitylinkConfig(AppConfig):
    name = "minxin.citylink"
    label = "citylink"
    verbose_name = "上下级平台对接"
