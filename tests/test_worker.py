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


def test_every_task_takes_ids_acknowledges_late_and_retries_transient_errors_only():
    """The rules of youthtrack.jobs for every task of the three apps (a task added
    without them fails here)."""
    import importlib
    import importlib.util
    import inspect

    from youthtrack.celery import app
    from youthtrack.jobs import MAX_RETRIES, TRANSIENT_ERRORS

    for package in ("youthtrack", "programmes", "outcomes"):  # as the worker does
        if importlib.util.find_spec(f"{package}.tasks"):
            importlib.import_module(f"{package}.tasks")
    ours = {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in ("youthtrack", "programmes", "outcomes")
    }
    assert "outcomes.report_generate" in ours and "outcomes.import_process" in ours
    for name, task in ours.items():
        assert task.acks_late and task.reject_on_worker_lost, name
        parameters = inspect.signature(task.run).parameters.values()
        assert all(p.annotation is int for p in parameters), (name, "ids only")
        if name == "youthtrack.ping":
            continue
        assert tuple(task.autoretry_for) == TRANSIENT_ERRORS, name
        assert task.retry_backoff and task.max_retries == MAX_RETRIES, name
        assert not any(issubclass(ValueError, kind) for kind in task.autoretry_for)
