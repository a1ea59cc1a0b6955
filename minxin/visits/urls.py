from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "visits"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("new/matter/", views.matter_row, name="matter_row"),
    path("<int:visit_id>/", views.visit_detail, name="detail"),
]
