from django.urls import path

from . import console_views, views

app_name = "board"

urlpatterns = [
    path("", views.home, name="home"),
    path("appeal/new/", views.submit, name="submit"),
    path("appeal/receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_number>/", views.track_detail, name="track_detail"),
    path("track/<str:tracking_number>/rate/", views.rate, name="rate"),
    path(
        "track/<str:tracking_number>/photos/<int:attachment_id>/",
        views.photo,
        name="photo",
    ),
    # The public message board and the transparency page.
    path("board/", views.board_list, name="board_list"),
    path("board/new/", views.post_new, name="post_new"),
    path("board/receipt/", views.post_receipt, name="post_receipt"),
    path("board/<int:post_id>/", views.post_detail, name="post_detail"),
    path("board/<int:post_id>/support/", views.post_support, name="post_support"),
    path("transparency/", views.transparency, name="transparency"),
    # Moderation, for staff.
    path("console/board/", console_views.queue, name="moderation_queue"),
    path("console/board/<int:post_id>/", console_views.detail, name="moderation_detail"),
]
