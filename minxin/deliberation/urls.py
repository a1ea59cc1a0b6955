from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("new/", views.topic_new, name="new"),
    path("<int:topic_id>/", views.topic_detail, name="detail"),
    path("<int:topic_id>/act/", views.topic_act, name="act"),
]
