"""Imports as background jobs (docs/import.md): the task gets the run's id, never the
file or what it holds; running it twice imports once; a run whose worker died is
taken over by the redelivered task or the sweep, or fails with its reason after a few
attempts; an error fails the run with nothing written; the progress moves forward."""

import datetime
import json
import time

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation

from outcomes.imports import importer, services
from outcomes.models import ImportReference, ImportRun
from outcomes.tasks import import_process, report_jobs_sweep
from tests.youthtrack.sharing_helpers import make_user, signed_in
from youthtrack.exports import xlsx_bytes
from youthtrack.models import Programme, User, YoungPerson

from .test_import import counts_of_records, sheets_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead() -> User:
    """A CDM project lead of the programmes the workbooks import into."""
    user = make_user("lead", org_code="cdm", role=User.Role.LEAD)
    user.programmes_led.set(Programme.objects.filter(code__in=["touchngo", "uppercut"]))
    return user


def uploaded(lead, people: int = 5, language: str = "en") -> ImportRun:
    """A file uploaded and waiting to be checked (its task not run)."""
    with translation.override(language):
        return services.import_check_request(
            acting_user=lead,
            organisation=lead.organisation,
            data=xlsx_bytes(sheets_for(people, 2, 1)),
            file_name="records.xlsx",
        )


def state(run: ImportRun) -> ImportRun:
    run.refresh_from_db()
    return run


@pytest.fixture
def sent(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(services, "_enqueue", calls.append)
    return calls


def test_the_task_gets_the_runs_id_only(
    lead, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # (CI also runs this with a broker)
    given = []
    monkeypatch.setattr(
        import_process, "apply", lambda args, **options: given.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = uploaded(lead)
    assert given == [(run.pk,)]
    payload = json.dumps(given)
    assert "Amina" not in payload and "records" not in payload


def test_a_check_then_an_import_each_run_once(
    lead, sent, django_capture_on_commit_callbacks
):
    run = uploaded(lead)
    assert import_process.apply(args=[run.pk], task_id="t1").get() == "checked"
    assert import_process.apply(args=[run.pk], task_id="t2").get() == "skipped"
    assert state(run).status == ImportRun.Status.CHECKED and run.progress == 100
    assert run.counts["people"]["created"] == 5 and not ImportReference.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_request(
            acting_user=lead, organisation=lead.organisation, pk=run.pk
        )
    assert sent == [run.pk]
    with pytest.raises(services.NothingToImport):  # "Import" clicked twice
        services.import_request(
            acting_user=lead, organisation=lead.organisation, pk=run.pk
        )
    assert import_process.apply(args=[run.pk], task_id="t3").get() == "imported"
    before = counts_of_records()
    assert import_process.apply(args=[run.pk], task_id="t3").get() == "skipped"
    assert counts_of_records() == before
    assert state(run).status == ImportRun.Status.IMPORTED and run.content is None
    assert ImportReference.objects.count() == 5


def held_by_a_dead_worker(run: ImportRun, *, task_id: str, lease_left: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        attempts=run.attempts + 1,
        claimed_by=task_id,
        progress=30,
        lease_expires_at=timezone.now() + datetime.timedelta(seconds=lease_left),
    )


def test_a_run_whose_worker_died_is_taken_over_by_its_redelivered_task(lead, sent):
    run = uploaded(lead)
    held_by_a_dead_worker(run, task_id="t1", lease_left=600)
    assert import_process.apply(args=[run.pk], task_id="t2").get() == "skipped"
    assert import_process.apply(args=[run.pk], task_id="t1").get() == "checked"
    assert state(run).attempts == 2


def test_an_import_may_run_longer_than_other_tasks_and_keeps_its_lease_longer(
    settings,
):
    assert import_process.time_limit > settings.CELERY_TASK_TIME_LIMIT
    assert services.lease_seconds() > import_process.time_limit
    assert settings.CELERY_VISIBILITY_TIMEOUT > import_process.time_limit


def test_the_sweep_queues_again_a_run_whose_lease_ended(lead, sent, settings):
    run = uploaded(lead)
    held_by_a_dead_worker(run, task_id="t1", lease_left=-1)
    assert report_jobs_sweep.apply().get()["imports"] == {
        "requeued": 1,
        "failed": 0,
        "resent": 0,
    }
    assert sent == [run.pk]
    assert import_process.apply(args=[run.pk], task_id="t2").get() == "checked"


def test_a_run_interrupted_too_often_fails_with_its_reason_on_its_page(
    lead, sent, settings
):
    run = uploaded(lead, language="en")
    run.attempts = settings.REPORT_JOB_MAX_ATTEMPTS - 1
    held_by_a_dead_worker(run, task_id="t1", lease_left=-1)
    assert services.import_runs_sweep()["failed"] == 1
    assert state(run).status == ImportRun.Status.FAILED and run.content is None
    page = signed_in(lead, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("outcomes:import_run", args=[run.pk])
    )
    assert "interrupted 3 times" in page.content.decode()
    assert "data-poll" not in page.content.decode()


def test_an_error_fails_the_run_with_nothing_written(lead, sent, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("people")

    monkeypatch.setattr(importer, "_write", broken)
    run = uploaded(lead, language="nl")
    people = YoungPerson.objects.count()
    assert import_process.apply(args=[run.pk], task_id="t1").get() == "failed"
    assert state(run).status == ImportRun.Status.FAILED
    assert "KeyError" in run.failure_reason and "beheerder" in run.failure_reason
    assert YoungPerson.objects.count() == people and run.content is None


def test_a_transient_error_is_retried_by_the_same_task(lead, sent, monkeypatch):
    run = uploaded(lead)
    real = importer._write
    failures = iter([OperationalError("server closed the connection")])

    def flaky(*args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_write", flaky)
    with pytest.raises(Retry):
        import_process.apply(args=[run.pk], task_id="t1")
    assert state(run).status == ImportRun.Status.CHECKING  # waits for its retry
    retry = import_process.apply(args=[run.pk], task_id="t1", retries=1)
    assert retry.get() == "checked"


def test_the_progress_moves_forward_through_the_check_and_the_writing(lead):
    seen: list[float] = []
    with translation.override("en"):
        importer.run_import(
            data=xlsx_bytes(sheets_for(600, 0, 0)),
            file_name="big.xlsx",
            organisation=lead.organisation,
            user=lead,
            dry_run=True,
            progress=seen.append,
        )
    assert seen == sorted(seen)
    assert any(share < 0.5 for share in seen)  # the check
    assert any(0.5 < share < 1 for share in seen)  # the writing
    assert seen[-1] >= 0.99


WORKER_TIMEOUT = 120  # seconds


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the worker reads committed rows only
@pytest.mark.skipif(
    not django_settings.CELERY_BROKER_URL,
    reason="no CELERY_BROKER_URL: tasks run in-process, no worker to ask",
)
def test_a_worker_checks_then_imports_the_file(lead):
    def wait_for(statuses) -> ImportRun:
        deadline = time.monotonic() + WORKER_TIMEOUT
        while time.monotonic() < deadline:
            if state(run).status in statuses:
                return run
            time.sleep(0.3)
        raise AssertionError(f"still {run.status} at {run.progress} %")

    run = uploaded(lead, people=300)  # committed: its job goes to the worker
    wait_for({ImportRun.Status.CHECKED, ImportRun.Status.FAILED})
    assert run.status == ImportRun.Status.CHECKED, run.failure_reason
    assert run.progress == 100 and not ImportReference.objects.exists()
    services.import_request(acting_user=lead, organisation=lead.organisation, pk=run.pk)
    wait_for({ImportRun.Status.IMPORTED, ImportRun.Status.FAILED})
    assert run.status == ImportRun.Status.IMPORTED, run.failure_reason
    assert ImportReference.objects.count() == 300 and run.content is None
