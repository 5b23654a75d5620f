from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.enums import AuditAction


class AuditEvent(models.Model):
    """Who did what to which object, and when. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who acted when there is no account: "receipt holder", "worker", "system".
    actor_label = models.CharField(max_length=50, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=50)
    target_id = models.CharField(max_length=50)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
