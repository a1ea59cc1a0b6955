from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("appeals/<int:appeal_id>/panel/", views.panel, name="panel"),
    path("appeals/<int:appeal_id>/check/", views.check, name="check"),
]
