from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "minxin.review"
    label = "review"
    verbose_name = "办结审核"
