from django.urls import path

from . import public_views

app_name = "public_deliberation"

urlpatterns = [
    path("new/", public_views.topic_new, name="new"),
    path("phone/", public_views.phone, name="phone"),
    path("<int:topic_id>/", public_views.topic_detail, name="detail"),
    path("<int:topic_id>/support/", public_views.support, name="support"),
]
