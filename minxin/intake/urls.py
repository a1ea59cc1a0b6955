from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/caller-history/", views.caller_history, name="caller_history"),
]
