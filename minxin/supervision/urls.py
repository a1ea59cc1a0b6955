from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_issue, name="order_issue"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/answer/", views.order_answer, name="order_answer"),
    path("appeals/<int:appeal_id>/orders/new/", views.order_issue, name="appeal_order_issue"),
    path("appeals/<int:appeal_id>/panel/", views.appeal_panel, name="appeal_panel"),
]
