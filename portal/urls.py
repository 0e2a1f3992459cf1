from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.core import probes

api_v1 = [
    path("", include("portal.core.api.urls")),
    path("", include("portal.clouds.api.urls")),
    path("", include("portal.tenants.api.urls")),
    path("", include("portal.images.api.urls")),
    path("", include("portal.isos.api.urls")),
    path("", include("portal.servers.api.urls")),
    path("", include("portal.network.api.urls")),
    path("", include("portal.shares.api.urls")),
    path("", include("portal.objectstorage.api.urls")),
    path("", include("portal.webhooks.api.urls")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up as a script file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", probes.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("favicon.ico", RedirectView.as_view(url=static("portal/favicon.svg"))),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # The language comes from the browser or the header's switch (a cookie), not the URL.
    path("admin/", admin.site.urls),
]

# Errors outside DRF views (unknown URLs, crashes in middleware) keep the API's shape.
handler400 = "portal.core.views.bad_request"
handler404 = "portal.core.views.not_found"
handler500 = "portal.core.views.server_error"
