from django.urls import include, path

from . import console_views, views

app_name = "board"

# The public message board.
post = [
    path("", views.post_detail, name="post_detail"),
    path("support/", views.post_support, name="post_support"),
]
board = [
    path("", views.board_list, name="board_list"),
    path("new/", views.post_new, name="post_new"),
    path("receipt/", views.post_receipt, name="post_receipt"),
    path("<int:post_id>/", include(post)),
]
# Moderation, for staff.
console = [
    path("", console_views.queue, name="moderation_queue"),
    path("<int:post_id>/", console_views.detail, name="moderation_detail"),
]
urlpatterns = [path("board/", include(board)), path("console/board/", include(console))]
