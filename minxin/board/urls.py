from django.urls import path

app_name = "board"

urlpatterns: list[path] = []  # type: ignore[valid-type]
