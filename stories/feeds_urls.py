"""Subscribable Atom, RSS and JSON feeds per theme and per collection."""

from django.urls import URLPattern, path

from stories import feeds

urlpatterns: list[URLPattern] = [
    path(
        f"{kind}/<slug:slug>.{fmt}",
        feeds.story_feed,
        {"kind": kind, "fmt": fmt},
        name=f"{kind.rstrip('s')}-feed-{fmt}",
    )
    for kind in ("themes", "collections")
    for fmt in feeds.FORMATS
]
