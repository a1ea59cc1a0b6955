from django.urls import path

from . import console_views, views

app_name = "board"

urlpatterns = [
    # The public message board.
    path("board/", views.board_list, name="board_list"),
    path("board/new/", views.post_new, name="post_new"),
    path("board/receipt/", views.post_receipt, name="post_receipt"),
    path("board/<int:post_id>/", views.post_detail, name="post_detail"),
    path("board/<int:post_id>/support/", views.post_support, name="post_support"),
    # Moderation, for staff.
    path("console/board/", console_views.queue, name="moderation_queue"),
    path("console/board/<int:post_id>/", console_views.detail, name="moderation_detail"),
]
