from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "minxin.selection"
    label = "selection"
    verbose_name = "民生实事项目票决"
