from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.inbox_mark_read, name="mark_read"),
    path("preference/", views.preference_set, name="preference"),
]
