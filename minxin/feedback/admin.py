from django.contrib import admin

from minxin.machine.admin import ReadOnlyAdmin

from .models import Rating

admin.site.register(Rating, ReadOnlyAdmin)
