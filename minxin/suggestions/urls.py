from django.urls import URLPattern, URLResolver

app_name = "suggestions"

urlpatterns: list[URLPattern | URLResolver] = []
