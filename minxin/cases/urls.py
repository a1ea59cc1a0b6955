from django.urls import path

app_name = "cases"

urlpatterns: list[path] = []  # type: ignore[valid-type]
