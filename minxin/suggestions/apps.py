from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "minxin.suggestions"
    label = "suggestions"
    verbose_name = "人民建议征集"
