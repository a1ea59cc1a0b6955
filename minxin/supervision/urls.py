from django.urls import include, path

from . import views

app_name = "supervision"

orders = [
    path("", views.order_list, name="order_list"),
    path("new/", views.order_issue, name="order_issue"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/answer/", views.order_answer, name="order_answer"),
    path("<int:order_id>/photos/<int:photo_id>/", views.order_photo, name="order_photo"),
]
# On one appeal: the supervision panel of its page and an order about it.
appeal = [
    path("orders/new/", views.order_issue, name="appeal_order_issue"),
    path("panel/", views.appeal_panel, name="appeal_panel"),
    path("onsite/", views.onsite_panel, name="onsite_panel"),
    path("onsite/record/", views.onsite_record, name="onsite_record"),
    path("onsite/photos/<int:photo_id>/", views.onsite_photo, name="onsite_photo"),
    path("take-charge/", views.appeal_take_charge_view, name="appeal_take_charge"),
]
urlpatterns = [
    path("orders/", include(orders)),
    path("appeals/<int:appeal_id>/", include(appeal)),
]
