from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("screening/", views.screening, name="screening"),
    path("screening/filters/", views.saved_filter_save_view, name="saved_filter_save"),
    path("screening/filters/<int:filter_id>/", views.saved_filter_apply, name="saved_filter"),
    path(
        "screening/filters/<int:filter_id>/delete/",
        views.saved_filter_delete_view,
        name="saved_filter_delete",
    ),
    path("appeals/<int:appeal_id>/panel/", views.panel, name="panel"),
    path("appeals/<int:appeal_id>/dispatch/", views.dispatch, name="dispatch"),
]
