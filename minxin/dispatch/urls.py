from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("screening/", views.screening, name="screening"),
    path("appeals/<int:appeal_id>/panel/", views.panel, name="panel"),
    path("appeals/<int:appeal_id>/dispatch/", views.dispatch, name="dispatch"),
]
