from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from minxin.core.errors import MinxinError

from .models import BOUNDARY_FIGURES, Category, Jurisdiction, Region, RegionBoundary, Unit
from .services import boundaries_import, geojson_max_bytes, size_refusal

# What a multipart request carries besides the file (boundary lines, the CSRF token).
MULTIPART_SLACK = 64 * 1024


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "level", "parent", "code")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The districts of a city's install (docs/deploy.md, "Many districts on one install")."""

    list_display = ("name", "code", "region", "host")
    search_fields = ("name", "code", "host")
    autocomplete_fields = ("region",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Units and their tree (二级派单): a community or grid unit names its street office or
    community as 上级单位; `Unit.clean` refuses a parent of the same or a lower level. A unit
    of no jurisdiction is the city's, and its staff see every district."""

    list_display = ("name", "kind", "jurisdiction", "parent", "region", "is_active")
    list_filter = ("jurisdiction", "kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("region", "parent")
    list_select_related = ("jurisdiction", "parent", "region")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("path_name", "level", "responsible_unit_kind", "is_active")
    list_filter = ("level", "responsible_unit_kind", "is_active")
    search_fields = ("name", "path_name")
    autocomplete_fields = ("parent",)


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label="GeoJSON 文件",
        help_text="FeatureCollection；每个要素的 properties 用 code（区划代码）或 name 对应区划，"
        "几何为 Polygon 或 MultiPolygon（WGS84 经纬度）。已有边界的区划将被替换。",
    )


@admin.register(RegionBoundary)
class RegionBoundaryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Boundaries are written only by the GeoJSON import (validated, simplified)."""

    list_display = ("region", "level", "centroid_lat", "centroid_lng", "imported_by", "updated_at")
    list_filter = ("region__level",)
    search_fields = ("region__name", "region__code")
    list_select_related = ("region", "imported_by")
    exclude = ("geometry", "display")
    readonly_fields = ("region", *BOUNDARY_FIGURES)
    change_list_template = "admin/directory/regionboundary/change_list.html"

    @admin.display(description="层级")
    def level(self, obj: RegionBoundary) -> str:
        return obj.region.get_level_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the import is the way in

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def may_import(self, request: HttpRequest) -> bool:
        return request.user.has_perm("directory.add_regionboundary")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        extra = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        # CSRF is checked inside, after the size: the token is in the body, and a body over the
        # limit is refused from its Content-Length without being read.
        view = self.admin_site.admin_view(csrf_exempt(self.import_view))
        return [
            path("import/", view, name="directory_regionboundary_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.may_import(request):
            return self._page(request, BoundaryUploadForm(), "您没有导入区划边界的权限", 403)
        if request.method == "POST":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared - MULTIPART_SLACK > geojson_max_bytes():
                refusal = size_refusal(declared) or ""
                return self._page(request, BoundaryUploadForm(), refusal, 413)
        return csrf_protect(self._import)(request)

    def _import(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self._page(request, BoundaryUploadForm())
        form = BoundaryUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, "请选择要导入的 GeoJSON 文件", 400)
        upload = form.cleaned_data["file"]
        refusal = size_refusal(upload.size or 0)
        if refusal:
            return self._page(request, form, refusal, 413)
        try:
            result = boundaries_import(actor=request.user, data=upload.read())  # type: ignore[arg-type]
        except MinxinError as e:
            return self._page(request, form, e.message, e.status_code)
        messages.success(request, result.message)
        return HttpResponseRedirect(reverse("admin:directory_regionboundary_changelist"))

    def _page(
        self, request: HttpRequest, form: BoundaryUploadForm, error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入区划边界（GeoJSON）",
            "form": form,
            "error": error,
            "max_mb": geojson_max_bytes() // (1024 * 1024),
        }
        return TemplateResponse(
            request, "admin/directory/regionboundary/import.html", context, status=status
        )
