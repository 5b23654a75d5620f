"""The web UI's routes, mounted at the site root."""

from django.contrib.auth.views import LogoutView
from django.urls import path, register_converter

from frontend.views import console, public, reporter
from stories.api.converters import PublicIdConverter, RowIdConverter

# The API's converters: a longer number than a 64-bit id holds is a 404 here too, not a 500.
register_converter(RowIdConverter, "id")
register_converter(PublicIdConverter, "public")

app_name = "frontend"

urlpatterns = [
    # Reporter app (a PWA: the manifest and service worker live at the root scope).
    path("", reporter.home, name="home"),
    path("d/<slug:slug>/", reporter.drive_page, name="drive"),
    path("r/", reporter.status_page, name="status"),
    path("receipt-qr/", reporter.receipt_qr, name="receipt-qr"),
    path("manifest.webmanifest", reporter.manifest, name="manifest"),
    path("sw.js", reporter.service_worker, name="service-worker"),
    path("offline/", reporter.offline, name="offline"),
    # Public story browser.
    path("stories/", public.story_list, name="stories"),
    path("stories/<public:public_id>/", public.story_detail, name="story"),
    path("stories/<public:public_id>/captions.vtt", public.story_captions, name="captions"),
    path(
        "stories/<public:public_id>/captions.<slug:language>.vtt",
        public.story_captions,
        name="captions-in",
    ),
    # Old numeric URLs: a 301 to the public id while the story is public, else 404.
    path("stories/<id:story_id>/", public.story_by_number, name="story-by-number"),
    path("collections/", public.collection_list, name="collections"),
    path("collections/<slug:slug>/", public.collection_detail, name="collection"),
    path("themes/", public.theme_list, name="themes"),
    path("themes/<slug:slug>/", public.theme_detail, name="theme"),
    # Curator console.
    path("login/", console.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="/"), name="logout"),
    path("console/", console.queue, name="console"),
    path("console/stories/<id:story_id>/", console.story_review, name="console-story"),
    path("console/stories/<id:story_id>/media", console.story_media, name="console-media"),
    path(
        "console/stories/<id:story_id>/translation",
        console.story_translation,
        name="console-translation",
    ),
    path(
        "console/stories/<id:story_id>/captions.vtt",
        console.story_captions,
        name="console-captions",
    ),
    path("console/collections/", console.collections, name="console-collections"),
    path("console/dashboard/", console.dashboard, name="console-dashboard"),
]
