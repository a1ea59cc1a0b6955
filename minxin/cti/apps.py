from django.apps import AppConfig


class CtiConfig(AppConfig):
    name = "minxin.cti"
    label = "cti"
    verbose_name = "电话接入"
