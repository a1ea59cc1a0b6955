from django.urls import path

from . import views

app_name = "issuelists"

urlpatterns = [
    path("", views.list_index, name="list_index"),
    path("panel/", views.dashboard_panel, name="dashboard_panel"),
    path("units/<int:unit_id>/<int:year>/", views.list_detail, name="list_detail"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/act/", views.item_act, name="item_act"),
    path("items/<int:item_id>/link/", views.item_link, name="item_link"),
    path("items/<int:item_id>/charge/", views.item_take_charge, name="item_take_charge"),
    path("items/<int:item_id>/instruct/", views.item_instruct, name="item_instruct"),
]
