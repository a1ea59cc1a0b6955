from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "minxin.imports"
    label = "imports"
    verbose_name = "批量导入"
