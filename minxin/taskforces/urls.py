from django.urls import path

from . import views

app_name = "taskforces"

urlpatterns = [
    path("", views.task_force_list, name="task_force_list"),
    path("led/", views.leader_cases, name="leader_cases"),
    path("queue-panel/", views.queue_panel, name="queue_panel"),
    path("new/", views.task_force_new, name="task_force_new"),
    path("<int:task_force_id>/", views.task_force_detail, name="task_force_detail"),
    path("<int:task_force_id>/members/", views.members_add, name="members_add"),
    path("<int:task_force_id>/scope/", views.scope_add, name="scope_add"),
    path("<int:task_force_id>/meetings/", views.meeting_record, name="meeting_record"),
    path("<int:task_force_id>/close/", views.task_force_end, name="task_force_close"),
]
