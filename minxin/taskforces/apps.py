from django.apps import AppConfig


class TaskForcesConfig(AppConfig):
    name = "minxin.taskforces"
    label = "taskforces"
    verbose_name = "工作专班"
