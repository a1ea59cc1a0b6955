from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Exemption, ExemptionEvent, ExemptionPhoto


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "unit", "kind", "ground", "status", "requested_at")
    list_filter = ("status", "kind", "ground")


@admin.register(ExemptionPhoto)
class ExemptionPhotoAdmin(ReadOnlyAdmin):
    list_display = ("exemption", "content_type", "size")


event_admin(ExemptionEvent, subject="exemption")
