"""Faults: the worker's PostgreSQL connections terminated while it works on a story.

``pg_terminate_backend`` is what a database failover, a restart or an idle-connection
reaper does to a worker. The step in progress must be retried, not failed, and the story
must come out of the pipeline once, with one set of derivatives. PostgreSQL only.
"""

from __future__ import annotations

import pytest
from django.db import connection

from stories.enums import AssetRole, AuditAction, StoryStatus
from stories.models import AuditEvent, MediaAsset, Story
from tests.reliability.test_faults_redis import submit_photo
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKER_APP = "tarina-faults-worker"


def terminate_worker_connections() -> int:
    """Cut every database connection the worker holds; how many there were."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            [WORKER_APP],
        )
        return int(cursor.fetchone()[0])


def test_a_dropped_database_connection_mid_task_is_retried(client_for, drive, tmp_path):
    worker = WorkerProcess(
        f"{database_url_for_workers()}?application_name={WORKER_APP}", tmp_path / "worker.log"
    )
    worker.start()
    try:
        story_id = submit_photo(client_for(), drive, tmp_path)
        wait_for(lambda: Story.objects.filter(pk=story_id, processing_step="normalise"), 60, 0.02)
        assert terminate_worker_connections() >= 1
        story = wait_for(
            lambda: Story.objects.filter(
                pk=story_id, status__in=[StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED]
            ).first(),
            timeout=120,
        )
    finally:
        worker.stop()

    assert story.status == StoryStatus.NEEDS_REVIEW, story.status_reason
    assert "Retry in" in worker.log_path.read_text(errors="replace")  # it was retried
    derived = MediaAsset.objects.filter(story=story, role=AssetRole.DERIVATIVE)
    assert sorted(a.variant for a in derived) == ["image", "image_thumb_1280", "image_thumb_320"]
    moves = AuditEvent.objects.filter(
        action=AuditAction.STORY_TRANSITIONED, target_id=str(story_id), data__to="needs_review"
    )
    assert moves.count() == 1
