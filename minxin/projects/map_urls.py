from django.urls import path

from . import map_views

app_name = "project_map"

urlpatterns = [
    path("", map_views.project_map, name="page"),
    path("data.json", map_views.project_map_data, name="data"),
]
