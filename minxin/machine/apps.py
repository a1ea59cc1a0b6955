from django.apps import AppConfig


class MachineConfig(AppConfig):
    name = "minxin.machine"
    label = "machine"
    verbose_name = "状态机"
