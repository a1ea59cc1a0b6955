from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "minxin.feedback"
    label = "feedback"
    verbose_name = "评价与回访"
