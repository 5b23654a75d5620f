"""The Celery application shared by the web process, workers and beat."""

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
from typing import Any

from billiard.process import current_process
from celery import Celery
from celery.signals import beat_embedded_init, worker_process_init

from config import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

broker.register()  # the embedded broker writes each message whole (config/broker.py)
app = Celery("tarina", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# From <linux/prctl.h>: deliver a signal to this process when its parent dies.
PR_SET_PDEATHSIG = 1


@worker_process_init.connect
@beat_embedded_init.connect
def die_with_the_worker(**_: Any) -> None:
    """Have each child of a worker SIGKILLed when the worker's main process dies.

    A main process SIGKILLed (OOM killer, ``kill -9``) cannot stop its children. Celery
    sets this for pool children itself, but silently gives up where it cannot; and the
    beat that ``--beat`` embeds (as in `make run`) got nothing: it lived on as an orphan,
    queueing sweeps beside the next worker's beat.
    """
    # billiard keeps the parent's pid on a child's process object (untyped); the main
    # process has none. The solo pool sends this signal in the main process itself,
    # which has no worker to die with.
    parent = getattr(current_process(), "_parent_pid", None)
    if parent is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
        return
    # The parent may have died between the fork and the prctl: then nobody signals us.
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
