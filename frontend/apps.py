from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """The web UI: server-rendered pages, enhanced by small hand-written scripts."""

    name = "frontend"
    verbose_name = "Web front end"
