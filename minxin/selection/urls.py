from django.urls import path

from . import views

app_name = "selection"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("new/", views.round_new, name="round_new"),
    path("<int:round_id>/", views.round_detail, name="round_detail"),
    path("<int:round_id>/act/", views.round_step, name="round_act"),
    path("<int:round_id>/candidates/new/", views.candidate_new, name="candidate_new"),
    path(
        "<int:round_id>/candidates/<int:candidate_id>/withdraw/",
        views.candidate_remove,
        name="candidate_withdraw",
    ),
    path("<int:round_id>/ballot/", views.ballot, name="ballot"),
]
