from django.urls import include, path

from . import map_views, views

app_name = "metrics"

bulletin = [
    path("", views.bulletin, name="bulletin"),
    path("print/", views.bulletin_print, name="bulletin_print"),
    path("export/", views.bulletin_export, name="bulletin_export"),
]
exports = [
    path("", views.exports, name="exports"),
    path("<int:export_id>/download/", views.export_download, name="export_download"),
]
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map/points.json", map_views.appeal_points_json, name="map_points"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("bulletin/", include(bulletin)),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("exports/", include(exports)),
]
