"""A Celery worker killed with SIGKILL in the middle of a report: no file of the report
is left, the job is not done, and once a worker is back the report completes with the
same files as a run that was not interrupted.

Runs against PostgreSQL and Redis (127.0.0.1), with real worker processes:

1. builds a fresh database (migrate, the demo data of ``seed_demo --people 60``);
2. starts worker A; a project lead asks for a report; it completes (the reference);
3. asks for the same report again, slowed down (``YT_REPORT_TEST_DELAY_SECONDS``, read
   only by the test settings); while it renders, worker A and its pool are killed with
   SIGKILL (as a machine losing power would);
4. checks the job is not done and no file of it exists in the storage;
5. starts worker B: the broker delivers the unacknowledged message again once the
   visibility timeout (here a few seconds) has passed, the task takes its job over
   (its lease is held by the same task) and completes it;
6. checks the job is done, taken over once, with files byte for byte those of the
   reference (the formats whose bytes do not hold the time they were made: JSON, CSV)
   and the same checksum of the figures.

Prints what happened; exits 1 on a failure. ``--database`` and ``--redis-db`` choose
where it runs (the database is dropped and created again)."""

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VISIBILITY_TIMEOUT = 12  # seconds: short here, an hour by default
DELAY = 2.0  # seconds before each format is rendered
FORMATS = ["pdf", "json", "csv"]
COMPARED = ["json", "csv"]  # the PDF holds the time it was generated


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="youthtrack_worker_kill_ci")
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument("--timeout", type=int, default=120, help="seconds per wait")
    return parser.parse_args()


ARGS = parse()
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "youthtrack.settings.test",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{ARGS.database}",
    "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{ARGS.redis_db}",
    "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:6379/{ARGS.redis_db}",
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "YT_REPORT_TEST_DELAY_SECONDS": str(DELAY),
    "CONN_MAX_AGE": "0",
    "PYTHONUNBUFFERED": "1",
}
os.environ.update(ENV)
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CELERY = str(ROOT / ".venv" / "bin" / "celery")
ARTIFACTS = ROOT / "artifacts"


def say(message: str) -> None:
    print(
        f"[worker-kill {time.strftime('%H:%M:%S', time.gmtime())}] {message}",
        flush=True,
    )


def fail(message: str) -> None:
    say(f"FAILED: {message}")
    sys.exit(1)


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{ARGS.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{ARGS.database}"')
    for command in (["migrate", "--verbosity", "0"], ["seed_demo", "--people", "60"]):
        subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=ENV,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=ARGS.redis_db).flushdb()


def start_worker(name: str) -> subprocess.Popen:
    log = open(ARTIFACTS / f"worker-kill-{name}.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            CELERY,
            "-A",
            "youthtrack",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=worker-kill-{name}@%h",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed with its pool
    )
    say(f"worker {name} started (pid {worker.pid})")
    return worker


def wait_for(what: str, check, timeout: int | None = None) -> None:
    deadline = time.monotonic() + (timeout or ARGS.timeout)
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    fail(f"timed out waiting until {what}")


def main() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    say(f"database {ARGS.database}, redis db {ARGS.redis_db}")
    fresh_database()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from outcomes.models import ReportJob, evidence_storage
    from outcomes.reports import services
    from youthtrack.models import Operation, User

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == (
        VISIBILITY_TIMEOUT
    )
    lead = User.objects.get(username="lead")
    operation = Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")

    def ask() -> ReportJob:
        return services.report_job_request(
            acting_user=lead,
            rule_set=ReportJob.RuleSet.ESFPLUS2021,
            operation=operation,
            date_from=operation.start,
            date_to=operation.end,
            formats=FORMATS,
        )

    def state(job: ReportJob) -> ReportJob:
        job.refresh_from_db()
        return job

    def on_disk(job: ReportJob) -> list[str]:
        folder = services.job_folder(job)
        if not evidence_storage.exists(folder):
            return []
        return sorted(evidence_storage.listdir(folder)[1])

    def digests(job: ReportJob) -> dict[str, str]:
        found = {}
        for report_file in job.files.all():
            with evidence_storage.open(report_file.file.name, "rb") as handle:
                found[report_file.format] = hashlib.sha256(handle.read()).hexdigest()
        return found

    finished = (ReportJob.Status.DONE, ReportJob.Status.FAILED)
    worker_a = start_worker("a")
    worker_b = None
    try:
        reference = ask()
        say(f"reference report asked (job {reference.pk})")
        wait_for(
            "the reference report is done", lambda: state(reference).status in finished
        )
        if reference.status != ReportJob.Status.DONE:
            fail(f"the reference report failed: {reference.failure_reason}")
        expected = digests(reference)
        say(f"reference done: checksum {reference.checksum}, files {sorted(expected)}")

        job = ask()
        say(f"report asked (job {job.pk}); waiting until it renders")
        wait_for(
            "the report is being rendered",
            lambda: (
                state(job).status == ReportJob.Status.RUNNING and job.progress >= 50
            ),
        )
        time.sleep(DELAY / 2)  # in the middle of a format
        task_id = state(job).claimed_by
        os.killpg(worker_a.pid, signal.SIGKILL)
        worker_a.wait()
        say(f"worker a killed with SIGKILL at {state(job).progress} % (task {task_id})")

        time.sleep(1)
        job = state(job)
        left = on_disk(job)
        if job.status == ReportJob.Status.DONE or job.files.exists() or left:
            fail(f"after the kill: status {job.status}, files on disk {left}")
        say(f"after the kill: job {job.status}, no file of it in the storage")

        worker_b = start_worker("b")
        say(
            f"waiting for the broker to deliver the message again "
            f"(visibility timeout {VISIBILITY_TIMEOUT} s)"
        )
        wait_for("the report is done again", lambda: state(job).status in finished)
        if job.status != ReportJob.Status.DONE:
            fail(f"the report failed after the restart: {job.failure_reason}")
        got = digests(job)
        say(
            f"done after the restart: attempts {job.attempts}, taken over by the same "
            f"task: {job.claimed_by == task_id}, checksum {job.checksum}"
        )
        if job.attempts != 2 or job.claimed_by != task_id:
            fail("the job was not taken over by the redelivered task")
        if job.checksum != reference.checksum:
            fail(f"checksum {job.checksum} != reference {reference.checksum}")
        if sorted(got) != sorted(FORMATS) or len(on_disk(job)) != len(FORMATS):
            fail(f"files {sorted(got)}, on disk {on_disk(job)}")
        for fmt in COMPARED:
            if got[fmt] != expected[fmt]:
                fail(f"the {fmt} file differs from the reference run's")
            say(f"{fmt}: sha256 {got[fmt][:16]}… same as the reference run")
        say("PASSED: the killed report completed once a worker was back")
    finally:
        for worker in (worker_a, worker_b):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
