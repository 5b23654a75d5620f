"""Subscribable Atom, RSS and JSON feeds per theme and per collection."""

urlpatterns: list[object] = []
