from django.contrib import admin

from minxin.cases.admin import ReadOnlyAdmin

from .models import Rating

admin.site.register(Rating, ReadOnlyAdmin)
