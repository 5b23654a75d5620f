"""The web UI's views: reporter app, public story browser and curator console."""
