from django.urls import path

from . import order_views

app_name = "supervision"

urlpatterns = [
    path("orders/", order_views.order_list, name="order_list"),
    path("orders/new/", order_views.order_issue, name="order_issue"),
    path("orders/<int:order_id>/", order_views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/answer/", order_views.order_answer, name="order_answer"),
    path("appeals/<int:appeal_id>/orders/new/", order_views.order_issue, name="appeal_order_issue"),
    path("appeals/<int:appeal_id>/panel/", order_views.appeal_panel, name="appeal_panel"),
]
