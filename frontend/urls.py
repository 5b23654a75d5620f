"""The web UI's routes, mounted at the site root."""

from django.contrib.auth.views import LogoutView
from django.urls import path, register_converter

from frontend.views import clips, console, insights, patterns, public, reporter
from stories.api.converters import PublicIdConverter, RowIdConverter

# The API's converters: a longer number than a 64-bit id holds is a 404 here too, not a 500.
register_converter(RowIdConverter, "id")
register_converter(PublicIdConverter, "public")

app_name = "frontend"

urlpatterns = [
    # Reporter app (a PWA: the manifest and service worker live at the root scope).
    path("", reporter.home, name="home"),
    path("d/<slug:slug>/", reporter.drive_page, name="drive"),
    path("d/<slug:slug>/sent/", reporter.sent_page, name="drive-sent"),
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
    # Clips: their page, the player other sites embed, their sound, and oEmbed.
    path("clips/<public:public_id>/", clips.clip_detail, name="clip"),
    path("clips/<public:public_id>/embed/", clips.clip_embed, name="clip-embed"),
    path("clips/<public:public_id>/audio.wav", clips.clip_audio, name="clip-audio"),
    path("oembed", clips.oembed, name="oembed"),
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
    path("console/stories/<id:story_id>/clips/", clips.make_clip, name="console-clip-new"),
    path("console/clips/<public:public_id>/delete/", clips.delete_clip, name="console-clip-delete"),
    path("console/collections/", console.collections, name="console-collections"),
    path("console/dashboard/", console.dashboard, name="console-dashboard"),
    path("console/insights/", insights.insights_page, name="console-insights"),
    path(
        "console/insights/report.<str:fmt>",
        insights.insights_export,
        name="console-insights-export",
    ),
    path("console/patterns/", patterns.patterns, name="console-patterns"),
]
