"""Public, read-only routes: the story feed, published stories and collections, exports."""

urlpatterns: list[object] = []
