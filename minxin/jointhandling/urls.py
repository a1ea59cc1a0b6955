from django.urls import path

from . import views

app_name = "jointhandling"

urlpatterns = [
    path("appeals/<int:appeal_id>/panel/", views.appeal_panel, name="appeal_panel"),
    path("appeals/<int:appeal_id>/record/", views.visit_record, name="visit_record"),
]
