from django.urls import path

from . import views

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("appeal/new/", views.submit, name="submit"),
    path("appeal/receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_number>/", views.track_detail, name="track_detail"),
    path("track/<str:tracking_number>/rate/", views.rate, name="rate"),
    path(
        "track/<str:tracking_number>/photos/<int:attachment_id>/",
        views.photo,
        name="photo",
    ),
    path("transparency/", views.transparency, name="transparency"),
]
