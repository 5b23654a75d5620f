"""Celery tasks and the media and speech processing they call."""
