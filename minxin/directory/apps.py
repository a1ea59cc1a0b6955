from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "minxin.directory"
    label = "directory"
    verbose_name = "区划、单位与分类"
