from django.urls import path

from . import views

app_name = "exemptions"

urlpatterns = [
    path("", views.exemption_list, name="list"),
    path("<int:exemption_id>/act/<str:action>/", views.exemption_act_view, name="act"),
    path("<int:exemption_id>/photos/<int:photo_id>/", views.evidence_photo, name="photo"),
    path("appeals/<int:appeal_id>/panel/", views.appeal_panel, name="appeal_panel"),
    path("appeals/<int:appeal_id>/request/", views.exemption_request_view, name="request"),
]
