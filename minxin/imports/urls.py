from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:job_id>/", views.job, name="job"),
    path("<int:job_id>/mapping/", views.mapping, name="mapping"),
    path("<int:job_id>/start/", views.start, name="start"),
    path("<int:job_id>/progress/", views.progress, name="progress"),
    path("<int:job_id>/rejections.csv", views.rejections_csv, name="rejections_csv"),
]
