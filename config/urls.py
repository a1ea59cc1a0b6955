from django.contrib import admin
from django.urls import include, path

from minxin.accounts import views as accounts_views
from minxin.core import views as core_views
from minxin.cti import views as cti_views
from minxin.metrics import views as metrics_views

admin.site.site_header = "民心 minxin 管理后台"
admin.site.site_title = "民心 minxin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_views.prometheus_metrics, name="prometheus_metrics"),
    # One login for staff: the admin's login page sends to it (rate limit, lockout, 2FA).
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("minxin.accounts.urls")),
    path("console/", include("minxin.cases.urls")),
    path("console/intake/", include("minxin.intake.urls")),
    path("console/dispatch/", include("minxin.dispatch.urls")),
    path("console/triage/", include("minxin.triage.urls")),
    path("console/feedback/", include("minxin.feedback.urls")),
    path("console/notify/", include("minxin.notify.urls")),
    path("console/audit/", include("minxin.audit.urls")),
    path("console/supervision/", include("minxin.metrics.urls")),
    path("console/supervision/", include("minxin.supervision.urls")),
    path("console/projects/map/", include("minxin.projects.map_urls")),
    path("console/projects/", include("minxin.projects.urls")),
    path("console/proactive/", include("minxin.proactive.urls")),
    path("console/selection/", include("minxin.selection.urls")),
    path("console/consultations/", include("minxin.consultation.urls")),
    path("console/deliberations/", include("minxin.deliberation.urls")),
    path("console/panels/", include("minxin.panels.urls")),
    path("console/knowledge/", include("minxin.knowledge.urls")),
    path("console/exemptions/", include("minxin.exemptions.urls")),
    path("console/issues/", include("minxin.issuelists.urls")),
    path("console/taskforces/", include("minxin.taskforces.urls")),
    path("console/joint/", include("minxin.jointhandling.urls")),
    path("console/review/", include("minxin.review.urls")),
    path("console/directory/", include("minxin.directory.urls")),
    path("suggestions/", include("minxin.suggestions.urls")),
    path("console/visits/", include("minxin.visits.urls")),
    path("console/imports/", include("minxin.imports.urls")),
    path("open311/v2/", include("minxin.open311.urls")),
    # The telephone exchange's hook (docs/cti.md); its console pages are under console/cti/.
    path("cti/hook", cti_views.hook, name="cti_hook"),
    path("console/cti/", include("minxin.cti.urls")),
    path("projects/", include("minxin.projects.public_urls")),
    path("participation/consultations/", include("minxin.consultation.public_urls")),
    path("participation/deliberations/", include("minxin.deliberation.public_urls")),
    path("participation/panels/", include("minxin.panels.public_urls")),
    path("participation/", include("minxin.selection.public_urls")),
    path("", include("minxin.citizen.urls")),
    path("", include("minxin.board.urls")),
]
# Media (citizens' photos, exports) is never served as files: only through views that
# check who is asking.

# Django's own 400s (an unparsable form, too many files) in Chinese, like the domain's.
handler400 = "minxin.core.views.bad_request"
