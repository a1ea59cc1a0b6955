from django.urls import path

from . import views

app_name = "consultation"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_new, name="new"),
    path("<int:consultation_id>/", views.consultation_detail, name="detail"),
    path("<int:consultation_id>/act/", views.consultation_step, name="act"),
    path("<int:consultation_id>/comments/new/", views.comment_new, name="comment_new"),
    path(
        "<int:consultation_id>/comments/<int:comment_id>/act/",
        views.comment_act,
        name="comment_act",
    ),
    path(
        "<int:consultation_id>/report.<str:kind>",
        views.report_file,
        name="report_file",
    ),
]
