from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "minxin.board"
    label = "board"
    verbose_name = "群众端"
