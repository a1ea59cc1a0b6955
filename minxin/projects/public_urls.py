from django.urls import include, path

from . import public_views as views

app_name = "public_projects"

# 民心工程's public pages, under /projects/.
project = [
    path("", views.project_detail, name="project_detail"),
    path("photos/<int:photo_id>", views.project_photo, name="project_photo"),
    path("rate/", views.rate, name="rate"),
    path("rate/code/", views.code_send, name="code_send"),
    path("rate/receipt/", views.rate_receipt, name="rate_receipt"),
]
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<int:project_id>/", include(project)),
]
