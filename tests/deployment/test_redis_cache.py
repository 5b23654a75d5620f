"""The Redis cache backend (config/cache.py) against a real Redis: the web tier's shared
cache, throttle counters and the public generation live in it."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from config.cache import RedisCache

REDIS_URL = os.environ.get("TARINA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "TIMEOUT": 60})
    yield cache
    cache.clear()


def test_it_stores_reads_counts_and_forgets(redis_cache):
    redis_cache.set("generation", "a")
    assert redis_cache.get("generation") == "a"
    assert not redis_cache.add("generation", "b")
    assert redis_cache.add("fresh", 1)
    assert redis_cache.incr("fresh") == 2
    redis_cache.delete_many(["generation", "fresh"])
    assert redis_cache.get("generation") is None
    assert redis_cache.get("fresh", "gone") == "gone"


def test_threads_sharing_one_client_each_read_their_own_value(redis_cache):
    def round_trip(index: int) -> bool:
        for attempt in range(50):
            value = f"{index}-{attempt}"
            redis_cache.set(f"thread-{index}", value)
            if redis_cache.get(f"thread-{index}") != value:
                return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(round_trip, range(8)))
