from django.urls import path

from . import views

app_name = "public_panels"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("sheet/", views.sheet, name="sheet"),
    path("<int:evaluation_id>/", views.public_results, name="results"),
]
