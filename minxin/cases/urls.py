from django.urls import include, path

from . import views

app_name = "cases"

appeal = [
    path("", views.appeal_detail, name="appeal_detail"),
    path("act/<str:action>/", views.appeal_act, name="appeal_act"),
    path("photos/<int:attachment_id>/", views.attachment, name="attachment"),
    path("phone/", views.phone_reveal, name="phone_reveal"),
    path("revisit/", views.revisit, name="revisit"),
    path("print/", views.appeal_print, name="appeal_print"),
]
urlpatterns = [
    path("", views.home, name="home"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("unit/", views.unit_queue, name="unit_queue"),
    path("unit/sub-tasks/", views.sub_tasks, name="sub_tasks"),
    path("appeals/by-phone/", views.appeal_phone_search, name="appeal_phone_search"),
    path("follow-up/", views.follow_up_queue, name="follow_up_queue"),
    path("phone-reveals/", views.phone_reveal_list, name="phone_reveals"),
    path("appeals/<int:appeal_id>/", include(appeal)),
]
