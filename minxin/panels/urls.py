from django.urls import path

from . import views

app_name = "panels"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("new/", views.evaluation_new, name="new"),
    path("mine/", views.my_evaluations, name="mine"),
    path("<int:evaluation_id>/sheet/", views.my_sheet, name="my_sheet"),
    path("<int:evaluation_id>/", views.evaluation_detail, name="detail"),
    path("<int:evaluation_id>/act/", views.evaluation_post, name="act"),
]
