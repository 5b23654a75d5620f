"""Learning from curators as they decide: a debounced, serialised retrain of the theme model.

Each theme decision asks for a retrain (:func:`request_retrain`). The first request of a
burst queues one retrain ``TARINA_THEME_RETRAIN_DELAY_SECONDS`` later; requests while it
waits are absorbed, so twenty decisions in a row train once (twice when some come in while
the first retrain runs). :func:`retrain_lock` is held in the database while a retrain runs, so two
workers never train at once; a retrain that finds it taken tells its caller to try again later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from stories.domain import dispatch
from stories.models import ThemeRetrainState

# A queued retrain that has not started after this long was lost (a broker away when it
# was sent): the next decision queues another. A lock older than this belongs to a worker
# that died mid-training (training takes seconds).
STALE_AFTER = timedelta(minutes=10)


class RetrainBusy(RuntimeError):
    """Another retrain holds the lock; try again shortly."""


def _state() -> ThemeRetrainState:
    state, _ = ThemeRetrainState.objects.get_or_create(pk=1)
    return state


def request_retrain() -> bool:
    """Queue a retrain once the current transaction commits, unless one is already queued.

    Returns whether this call queued it. The check and the stamp are one conditional
    UPDATE, so two web processes deciding at once queue one retrain between them.
    """
    _state()
    now = timezone.now()
    claimed = (
        ThemeRetrainState.objects.filter(pk=1)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - STALE_AFTER))
        .update(queued_at=now)
    )
    if claimed:
        dispatch.send_on_commit(
            dispatch.RETRAIN_THEME_MODEL, countdown=settings.TARINA_THEME_RETRAIN_DELAY_SECONDS
        )
    return bool(claimed)


@contextmanager
def retrain_lock() -> Iterator[None]:
    """Hold the retrain lock for the ``with`` block; raises :class:`RetrainBusy` if taken.

    Taking it clears the queued stamp, so decisions made while the model trains queue the
    next retrain instead of being absorbed into this one.
    """
    _state()
    now = timezone.now()
    locked = (
        ThemeRetrainState.objects.filter(pk=1)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_AFTER))
        .update(started_at=now, queued_at=None)
    )
    if not locked:
        raise RetrainBusy("another retrain of the theme model is running")
    try:
        yield
    finally:
        ThemeRetrainState.objects.filter(pk=1, started_at=now).update(started_at=None)
