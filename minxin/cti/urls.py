from django.urls import path

from . import views

app_name = "cti"

urlpatterns = [
    path("popup/", views.popup, name="popup"),
    path("calls/", views.call_log, name="call_log"),
    path("calls/<int:call_pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:call_pk>/phone/", views.call_phone_reveal, name="call_phone_reveal"),
    path("appeals/<int:appeal_id>/call/", views.appeal_panel, name="appeal_panel"),
]
