from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers

from assessments.api import ChecklistViewSet
from assessments.urls import public_urlpatterns as assessment_public
from complaints.api import ComplaintViewSet
from complaints.urls import public_urlpatterns as complaint_public
from demonstrations.api import ApplicationViewSet, DesignationViewSet
from demonstrations.urls import public_urlpatterns as demonstration_public
from enterprises.api import EnterpriseViewSet
from tsprotect.core import home, views
from tsprotect.monitoring.metrics import metrics
from tsprotect.publicity.api import PublicDesignationViewSet, PublicNoticeViewSet
from tsprotect.publicity.urls import public_urlpatterns as publicity_public
from tsprotect.reports.api import ReportViewSet
from tsprotect.trainings.urls import public_urlpatterns as training_public

# A database outage answers 503 rather than 500 (tsprotect/core/outage.py).
handler500 = "tsprotect.core.outage.server_error"

api = routers.DefaultRouter(trailing_slash=True)
api.include_format_suffixes = False
api.register("enterprises", EnterpriseViewSet, basename="enterprise")
api.register("applications", ApplicationViewSet, basename="application")
api.register("designations", DesignationViewSet, basename="designation")
api.register("checklists", ChecklistViewSet, basename="checklist")
api.register("complaints", ComplaintViewSet, basename="complaint")
api.register("reports", ReportViewSet, basename="report")
api.register("public/designations", PublicDesignationViewSet, basename="public-designation")
api.register("public/notices", PublicNoticeViewSet, basename="public-notice")

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
# The admin's own login form would skip the portal's per-address limit on failed logins: the
# admin sends whoever is not logged in to the portal's login page instead.
admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("tsprotect.accounts.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("demonstrations/", include("demonstrations.urls")),
    path("assessments/", include("assessments.urls")),
    path("complaints/", include("complaints.urls")),
    path("notifications/", include("tsprotect.notifications.urls")),
    path("trainings/", include("tsprotect.trainings.urls")),
    path("publicity/", include("tsprotect.publicity.urls")),
    path("reports/", include("tsprotect.reports.urls")),
    path(
        "public/",
        include(
            (
                demonstration_public
                + assessment_public
                + publicity_public
                + training_public
                + complaint_public,
                "public",
            )
        ),
    ),
    path("api/v1/", include((api.urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split: the Swagger UI set-up is a script file of its own, so the page has no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="core/api_docs.html"
        ),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    # For the bureau's Prometheus only: 404 without its token (tsprotect/monitoring/metrics.py).
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path(
        "favicon.ico",
        RedirectView.as_view(url=settings.STATIC_URL + "img/favicon.svg"),
        name="favicon",
    ),
]

handler404 = "tsprotect.core.api.not_found"
