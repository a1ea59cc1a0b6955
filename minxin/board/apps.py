from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "minxin.board"
    label = "board"
    verbose_name = "留言板"
