from django.urls import path

from . import public_views

app_name = "public_selection"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("all/<slug:key>/", public_views.section_list, name="section"),
    path("rounds/<int:round_id>/", public_views.round_detail, name="round_detail"),
    path(
        "rounds/<int:round_id>/candidates/<int:candidate_id>/comment/",
        public_views.comment,
        name="comment",
    ),
    path("rounds/<int:round_id>/vote/", public_views.vote, name="vote"),
    path("rounds/<int:round_id>/vote/code/", public_views.code_send, name="code_send"),
    path("rounds/<int:round_id>/vote/done/", public_views.vote_receipt, name="vote_receipt"),
]
