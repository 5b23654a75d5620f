"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from stories.domain.roles import AnyUser
from stories.enums import AuditAction
from stories.models import AuditEvent


def record(
    action: AuditAction,
    target: models.Model,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
    **data: Any,
) -> AuditEvent:
    """Append one event: ``actor`` (or ``actor_label`` when nobody is logged in) did ``action``."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or ("" if user else "anonymous"),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )
