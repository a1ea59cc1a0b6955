from django.apps import AppConfig


class JointHandlingConfig(AppConfig):
    name = "minxin.jointhandling"
    label = "jointhandling"
    verbose_name = "联合处置"
