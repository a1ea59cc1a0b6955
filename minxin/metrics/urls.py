from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/export/", views.bulletin_export, name="bulletin_export"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
]
