"""Faults: a tus upload whose connection drops at random points, again and again.

Real sockets to a live server, as a phone on a weak network: each try sends part of the
rest of the file and hangs up mid-body; the next asks the server where it stands and goes
on from there. Racing PATCHes at one offset are in ``tests/stories/test_uploads_concurrency.py``.
"""

from __future__ import annotations

import hashlib
import random
import time

import pytest

from stories.models import Upload
from tests.stories.test_uploads import private_media  # noqa: F401 - autouse fixture
from tests.stories.test_uploads_concurrency import (  # noqa: F401 - tus is a fixture
    MIB,
    file_of,
    tus,
)

# Serialised like the worker tests around it, so that the flush after it leaves the
# database as they expect it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CUTS = 6


def test_an_upload_cut_off_at_random_points_completes_with_the_right_sha256(tus):  # noqa: F811 - the imported fixture
    client, drive = tus
    rng = random.Random(8)  # seeded: a failure can be replayed
    data = rng.randbytes(6 * MIB)
    path = client.create(len(data), drive)
    offsets = []
    offset = 0
    for _ in range(CUTS):
        cut = rng.randrange(offset + 1, offset + (len(data) - offset) // 2)
        broken = client.start_patch(path, offset, len(data) - offset)
        broken.send(data[offset:cut])
        time.sleep(0.05)
        broken.close()  # the network drops mid-body
        deadline = time.monotonic() + 10
        while (offset := client.offset(path)) < cut:
            assert time.monotonic() < deadline, f"offset stuck at {offset}, sent up to {cut}"
            time.sleep(0.02)
        assert offset == cut  # exactly what arrived counts
        offsets.append(offset)
    assert client.patch(path, offset, data[offset:]) == 204

    assert offsets == sorted(offsets)
    assert Upload.objects.get().sha256 == hashlib.sha256(data).hexdigest()
    with open(file_of(path), "rb") as stored:
        assert stored.read() == data
