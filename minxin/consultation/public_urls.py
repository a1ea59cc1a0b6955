from django.urls import path

from . import public_views

app_name = "public_consultation"

urlpatterns = [
    path("<int:consultation_id>/", public_views.consultation_detail, name="detail"),
    path("<int:consultation_id>/comment/", public_views.comment, name="comment"),
    path("<int:consultation_id>/report.<str:kind>", public_views.report_file, name="report_file"),
]
