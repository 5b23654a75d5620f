"""Moving the test database between migrations, for tests of data migrations."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to ``target``; the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def migrate_to_latest() -> None:
    """Back to today's schema, which every later test expects."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
