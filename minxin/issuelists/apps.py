from django.apps import AppConfig


class IssueListsConfig(AppConfig):
    name = "minxin.issuelists"
    label = "issuelists"
    verbose_name = "事项清单"
