from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "minxin.consultation"
    label = "consultation"
    verbose_name = "征求意见"
