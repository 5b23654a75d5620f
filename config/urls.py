"""Top-level URL routes: the API, its schema and docs, and the admin."""

import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import metrics, probes
from stories.public_media import public_media_route, serve_public

# URLs that match no route answer JSON under /api/ (stories.api.exceptions.not_found).
handler404 = "stories.api.exceptions.not_found"

urlpatterns = [
    path("api/v1/", include("stories.api.urls")),
    path("feeds/", include("stories.feeds_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script from a URL: no inline script under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="frontend/api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    # Deployment: liveness, readiness and Prometheus metrics (docs/deployment.md).
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # The web UI (reporter app, public story browser, curator console) at the site root.
    path("", include("frontend.urls")),
]

if settings.TARINA_SERVE_PUBLIC_MEDIA:
    # For a try-out without a reverse proxy: public, anonymised files only, never originals,
    # with the headers the proxy would add (stories/public_media.py).
    urlpatterns.append(re_path(rf"^{re.escape(public_media_route())}/(?P<path>.*)$", serve_public))
