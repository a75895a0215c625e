"""Background tasks: in-process when no broker is configured (the embedded default),
answered by a separate worker process when one is (CI runs a real worker)."""

import os

import pytest
from django.conf import settings

from youthtrack.tasks import ping

WORKER_TIMEOUT = 30  # seconds


@pytest.mark.skipif(
    bool(settings.CELERY_BROKER_URL), reason="a broker is configured: see the worker"
)
def test_without_a_broker_tasks_run_in_this_process():
    result = ping.delay().get(timeout=WORKER_TIMEOUT)
    assert result["pid"] == os.getpid()
    assert result["host"]


@pytest.mark.worker
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL,
    reason="no CELERY_BROKER_URL: tasks run in-process, no worker to ask",
)
def test_a_separate_worker_process_answers():
    result = ping.delay().get(timeout=WORKER_TIMEOUT)
    assert result["pid"] != os.getpid()
    assert result["host"]
