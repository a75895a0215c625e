"""Report jobs: queued → running → done with their files; a failing engine leaves the
job failed with its reason; a second run of the task produces nothing more; a done
report keeps its figures when the data changes."""

import datetime
import time

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation

from outcomes.models import ReportJob, evidence_storage
from outcomes.reports import services
from outcomes.tasks import report_generate
from tests.factories import reference as ref
from tests.pdf import pdf_text
from tests.youthtrack.sharing_helpers import make_user
from youthtrack.models import AuditEvent, Operation, User

from .reports_helpers import sample_result

D = datetime.date
WORKER_TIMEOUT = 60  # seconds


def lead(username: str = "lea", org_code: str = "cdm") -> User:
    user = make_user(username, org_code=org_code, role=User.Role.LEAD)
    user.programmes_led.add(ref.programme("touchngo"))
    return user


def tng_operation() -> Operation:
    return Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")


def ask(user: User, **changes) -> ReportJob:
    values = dict(
        rule_set="esfplus2021",
        operation=tng_operation(),
        date_from=D(2025, 1, 1),
        date_to=D(2025, 12, 31),
        formats=["pdf", "csv", "json"],
    )
    values.update(changes)
    return services.report_job_request(acting_user=user, **values)


@pytest.fixture
def engine(monkeypatch):
    """The engine replaced by a hand-made result; ``engine.calls`` counts its runs."""

    class Fake:
        calls = 0
        result = sample_result(operation="TNG-ESFPLUS-2021-2027")

        def __call__(self, **kwargs):
            Fake.calls += 1
            return self.result

    fake = Fake()
    monkeypatch.setattr(services, "engine_for", lambda rule_set: fake)
    return fake


@pytest.mark.django_db
def test_a_job_is_queued_then_done_with_its_files_and_checksum(
    engine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(lead())
    job.refresh_from_db()
    assert job.status == ReportJob.Status.QUEUED and job.progress == 0
    assert len(callbacks) == 1  # enqueued once the row is committed
    assert engine.calls == 0

    report_generate(job.pk)  # what the enqueued task runs (here, in this process)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert job.progress == 100
    assert job.started_at <= job.finished_at
    assert job.checksum == "5f2c0a7e9d1b4c3a"
    assert job.parameters == {"long_term_months_under_25": 6, "window_days": 28}
    assert sorted(f.format for f in job.files.all()) == ["csv", "json", "pdf"]
    pdf = job.files.get(format="pdf")
    with evidence_storage.open(pdf.file.name, "rb") as handle:
        text = pdf_text(handle.read())
    assert "5f2c0a7e9d1b4c3a" in text and "EECO01" in text
    assert AuditEvent.objects.filter(
        object_type="outcomes.reportjob", object_id=job.pk, action="create"
    ).exists()


@pytest.mark.django_db
def test_a_failing_engine_leaves_the_job_failed_with_the_reason(monkeypatch):
    def broken(**kwargs):
        raise ValueError("operation without participants in the period")

    monkeypatch.setattr(services, "engine_for", lambda rule_set: broken)
    job = ask(lead())
    report_generate(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.failure_reason == "operation without participants in the period"
    assert job.finished_at is not None
    assert not job.files.exists()


@pytest.mark.django_db
def test_running_the_task_twice_produces_once(engine):
    job = ask(lead())
    assert report_generate(job.pk) == "done"
    assert report_generate(job.pk) == "skipped"
    assert engine.calls == 1
    assert job.files.count() == 3


@pytest.mark.django_db
def test_a_done_report_keeps_its_figures_when_the_data_changes(engine):
    job = ask(lead(), formats=["json"])
    report_generate(job.pk)
    engine.result = sample_result(checksum="changed", indicators={})
    job.refresh_from_db()
    assert job.result["checksum"] == "5f2c0a7e9d1b4c3a"
    assert job.result["indicators"]["EECO01"]["total"] == 12
    # Asking again makes a new report; the first one is unchanged.
    second = ask(job.requested_by, formats=["json"])
    report_generate(second.pk)
    second.refresh_from_db()
    job.refresh_from_db()
    assert second.checksum == "changed" and job.checksum == "5f2c0a7e9d1b4c3a"


@pytest.mark.django_db
def test_the_report_is_rendered_in_the_language_it_was_asked_in(engine):
    with translation.override("nl"):
        job = ask(lead(), formats=["pdf"])
    report_generate(job.pk)
    pdf = ReportJob.objects.get(pk=job.pk).files.get(format="pdf")
    with evidence_storage.open(pdf.file.name, "rb") as handle:
        assert "Vrouwen" in pdf_text(handle.read())


@pytest.mark.django_db
def test_only_a_lead_of_the_programme_may_ask():
    advisor = make_user("adam", org_code="cdm")
    with pytest.raises(PermissionDenied):
        ask(advisor)
    partner = make_user("paula", org_code="actiris", role=User.Role.PARTNER)
    with pytest.raises(PermissionDenied):
        ask(partner)
    other_lead = make_user("luc", org_code="cdm", role=User.Role.LEAD)
    with pytest.raises(PermissionDenied):  # leads Uppercut only, not Touch'N'Go
        other_lead.programmes_led.add(ref.programme("uppercut"))
        ask(other_lead)
    assert not ReportJob.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the worker reads committed rows only
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL,
    reason="no CELERY_BROKER_URL: tasks run in-process, no worker to ask",
)
def test_a_worker_produces_the_report_once_when_the_task_runs_twice():
    with transaction.atomic():
        job = ask(lead(), formats=["json", "csv"])  # enqueued once committed
    # Two more runs of the same job: whichever the worker takes first claims it.
    extra = [report_generate.delay(job.pk), report_generate.delay(job.pk)]
    answers = [run.get(timeout=WORKER_TIMEOUT) for run in extra]
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ReportJob.Status.DONE, ReportJob.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ReportJob.Status.DONE, job.failure_reason
    assert answers.count("done") <= 1 and answers.count("skipped") >= 1
    assert job.files.count() == 2
    assert job.result["operation"] == "TNG-ESFPLUS-2021-2027"
