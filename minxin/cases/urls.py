from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("unit/", views.unit_queue, name="unit_queue"),
    path("follow-up/", views.follow_up_queue, name="follow_up_queue"),
    path("appeals/<int:appeal_id>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:appeal_id>/act/<str:action>/", views.appeal_act, name="appeal_act"),
    path(
        "appeals/<int:appeal_id>/photos/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
