from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from stories.domain import publicity

        # Caches of public pages follow every change to what they show.
        publicity.watch()
