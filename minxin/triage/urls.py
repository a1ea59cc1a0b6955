from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("appeals/<int:appeal_id>/panel/", views.panel, name="panel"),
    path("appeals/<int:appeal_id>/screen/", views.screen, name="screen"),
    path("bulk/", views.bulk, name="bulk"),
    path("rules/", views.rules, name="rules"),
]
