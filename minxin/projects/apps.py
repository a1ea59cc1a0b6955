from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "minxin.projects"
    label = "projects"
    verbose_name = "民心工程"
