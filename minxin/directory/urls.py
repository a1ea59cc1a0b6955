from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("boundaries.geojson", views.boundaries, name="boundaries"),
]
