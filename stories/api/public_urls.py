"""Public, read-only routes: the story feed, published stories and collections, exports."""

from django.urls import path

from stories.api import clips, exports, public

urlpatterns = [
    path("feed/", public.FeedView.as_view(), name="public-feed"),
    path(
        "public/stories/<publicid:public_id>/",
        public.PublicStoryView.as_view(),
        name="public-story",
    ),
    path("public/clips/", clips.PublicClipListView.as_view(), name="public-clips"),
    path("public/clips/<publicid:public_id>/", clips.PublicClipView.as_view(), name="public-clip"),
    # Old numeric URLs: redirected (301) while the story is public.
    path(
        "public/stories/<rowid:story_id>/",
        public.LegacyPublicStoryView.as_view(),
        name="public-story-by-number",
    ),
    path(
        "public/collections/<slug:slug>/",
        public.PublicCollectionView.as_view(),
        name="public-collection",
    ),
    path(
        "public/collections/<slug:slug>/export.csv",
        exports.CsvExportView.as_view(),
        name="public-collection-export-csv",
    ),
    path(
        "public/collections/<slug:slug>/export.json",
        exports.JsonExportView.as_view(),
        name="public-collection-export-json",
    ),
    path(
        "public/collections/<slug:slug>/datapackage.json",
        exports.DataPackageView.as_view(),
        name="public-collection-datapackage",
    ),
    path(
        "public/collections/<slug:slug>/export.zip",
        exports.ZipExportView.as_view(),
        name="public-collection-export-zip",
    ),
]
