from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("appeals/<int:appeal_id>/panel/", views.panel, name="panel"),
    path("appeals/<int:appeal_id>/rate/", views.rate, name="rate"),
]
