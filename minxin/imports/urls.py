from django.urls import include, path

from . import views

app_name = "imports"

job = [
    path("", views.job, name="job"),
    path("mapping/", views.mapping, name="mapping"),
    path("start/", views.start, name="start"),
    path("progress/", views.progress, name="progress"),
    path("rejections.csv", views.rejections_csv, name="rejections_csv"),
]
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("projects/", views.projects_index, name="projects_index"),
    path("projects/upload/", views.projects_upload, name="projects_upload"),
    path("projects/template.xlsx", views.projects_template, name="projects_template"),
    path("<int:job_id>/", include(job)),
]
