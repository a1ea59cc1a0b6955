from django.urls import URLPattern, URLResolver, include, path

from . import views

app_name = "suggestions"

review = [
    path("", views.review_list, name="review_list"),
    path("panel/", views.dashboard_panel, name="dashboard_panel"),
    path("<int:suggestion_id>/", views.review_detail, name="review_detail"),
    path("<int:suggestion_id>/act/<str:action>/", views.review_act, name="review_act"),
]
urlpatterns: list[URLPattern | URLResolver] = [
    path("new/", views.submit, name="submit"),
    path("receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_number>/", views.track_detail, name="track_detail"),
    path("adopted/", views.adopted, name="adopted"),
    path("review/", include(review)),
]
