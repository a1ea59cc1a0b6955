from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "minxin.cases"
    label = "cases"
    verbose_name = "诉求办理"
