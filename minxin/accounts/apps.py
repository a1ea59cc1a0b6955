from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minxin.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from . import sessions

        sessions.connect()
