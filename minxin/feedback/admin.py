from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin

from .models import Rating

admin.site.register(Rating, ReadOnlyAdmin)
