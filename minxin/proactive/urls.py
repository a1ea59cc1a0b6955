from django.urls import path

from . import views

app_name = "proactive"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("new/", views.task_propose, name="task_propose"),
    path("<int:task_id>/", views.task_detail, name="task_detail"),
    path("<int:task_id>/act/", views.task_act, name="task_act"),
]
