from django.urls import include, path

from . import views

app_name = "citizen"

# The appeal the citizen holds the tracking number and query code of.
tracked = [
    path("", views.track_detail, name="track_detail"),
    path("rate/", views.rate, name="rate"),
    path("supplement/", views.supplement, name="supplement"),
    path("sms/", views.sms_notices, name="sms_notices"),
    path("photos/<int:attachment_id>/", views.photo, name="photo"),
]
urlpatterns = [
    path("", views.home, name="home"),
    path("appeal/new/", views.submit, name="submit"),
    path("appeal/receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_number>/", include(tracked)),
    path("transparency/", views.transparency, name="transparency"),
]
