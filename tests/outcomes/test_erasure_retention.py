"""Erasure on request and retention (issue 12): the person's data removed for good,
every stored report unchanged to the byte, a re-run of the same report giving the same
figures and checksum; the retention run listed first (dry run), idempotent; a legal
hold stops both; nothing of the person left in any column of any table."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import translation

from outcomes.indicators.engine import report_compute
from outcomes.models import Outcome, ReportJob, evidence_storage
from outcomes.reports import services as report_services
from outcomes.tasks import report_generate
from tests.factories import ConsentFactory, YoungPersonFactory
from tests.factories import reference as ref
from tests.youthtrack.sharing_helpers import (
    confirmed_device,
    make_user,
    org,
    signed_in,
    verify_session,
)
from youthtrack import services
from youthtrack.audit import record_audit_event
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Consent,
    Note,
    User,
    YoungPerson,
)
from youthtrack.services import anonymisation
from youthtrack.services.anonymisation import AnonymisationRefused
from youthtrack.tasks import retention_run as retention_task

from .indicators_helpers import FROM, TO, operation, outcome, participation
from .records_helpers import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English, as the assertions read them."""
    with translation.override("en"):
        yield


D = datetime.date

NAME = ("Zephyrine", "Quillfeather")
PHONE = "0499 12 34 56"
EMAIL = "zephyrine.quill@example.org"
NOTE_TEXT = "Zephyrine parle de son stage chez Boulangerie Quillfeather à Forest."
GUARDIAN = "Ombeline Quillfeather"


def dpo() -> User:
    return make_user("delphine", org_code="cdm", role=User.Role.DPO)


BORN = D(2004, 2, 29)


def the_person(op, *, born=BORN, **facts) -> CaseFile:
    """A leaver of the operation with every kind of personal data, some of it in the
    audit trail as the services write it (names and texts in before/after values)."""
    person = YoungPersonFactory(
        first_name=NAME[0],
        last_name=NAME[1],
        phone=PHONE,
        email=EMAIL,
        birth_date=born,
        gender=ref.gender("female"),
        citizenship="third",
        other_languages="Tamazight",
        created_by_organisation=org("cdm"),
    )
    case_file = participation(
        op,
        person=person,
        entry=D(2025, 2, 28),  # the day before her 21st birthday (born 29 February)
        exit=D(2025, 9, 30),
        since=D(2024, 5, 1),
        disability="yes",
        referred_by="Mme Quillfeather (CPAS)",
        **facts,
    )
    advisor = make_user("sarah", org_code=case_file.owner_organisation.code)
    case_file.advisor = advisor
    case_file.save()
    services.note_create(
        case_file=case_file,
        acting_user=advisor,
        data={
            "contact_date": D(2025, 3, 3),
            "channel": ref.channel("in_person"),
            "topic": "Stage Quillfeather",
            "text": NOTE_TEXT,
            "visibility": Note.Visibility.ORGANISATION,
        },
    )
    ConsentFactory(case_file=case_file, given_by="guardian", guardian_name=GUARDIAN)
    CaseStatusChange.objects.create(
        case_file=case_file,
        from_status="active",
        to_status="closed",
        effective_date=D(2025, 9, 30),
        comment=f"Au revoir {NAME[0]}, joignable au {PHONE}",
        changed_by=advisor,
    )
    outcome(
        case_file,
        Outcome.Kind.JOB,
        D(2025, 10, 6),
        organisation_name="Boulangerie Quillfeather",
        verification_note=f"Contrat vu, signé {NAME[0]} {NAME[1]}",
        evidence_file=upload(name="contrat-quillfeather.pdf"),
        evidence_name="contrat-quillfeather.pdf",
    )
    # The trail as the services write it (personal values as fingerprints)…
    record_audit_event(
        actor=advisor,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        case_file=case_file,
        changes={"last_name": ["Quilfeather", NAME[1]], "phone": ["", PHONE]},
    )
    # … and as it was before personal values were kept out of it, with a name where
    # no personal field is expected.
    AuditEvent.objects.create(
        actor=advisor,
        action=AuditEvent.Action.DELETE,
        object_type="outcomes.goal",
        object_id=999,
        case_file=case_file,
        changes={"record": f"Objectif de {NAME[0]}", "status": ["open", None]},
    )
    AuditEvent.objects.create(
        actor=advisor,
        action=AuditEvent.Action.UPDATE,
        object_type="youthtrack.youngperson",
        object_id=person.pk,
        case_file=case_file,
        changes={
            "last_name": ["Quilfeather", NAME[1]],
            "phone": ["", PHONE],
            "email": ["", EMAIL],
            "birth_date": ["2004-03-01", "2004-02-29"],
        },
    )
    return case_file


def everything_in_the_database() -> str:
    """Every value of every column of every table, as text (bytes decoded)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "ignore")
                    chunks.append(str(value))
    return "\n".join(chunks).casefold()


def traces_of_the_person() -> list[str]:
    text = everything_in_the_database()
    tokens = [*NAME, PHONE, PHONE.replace(" ", ""), EMAIL, NOTE_TEXT, GUARDIAN]
    return [token for token in tokens if token.casefold() in text]


def produced_report(op, asker: User) -> ReportJob:
    job = report_services.report_job_request(
        acting_user=asker,
        rule_set="esfplus2021",
        operation=op,
        date_from=FROM,
        date_to=TO,
        formats=["pdf", "xlsx", "csv", "json"],
    )
    report_generate(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.failure_reason
    return job


def stored_files(job: ReportJob) -> dict[str, bytes]:
    files = {}
    for report_file in job.files.all():
        with report_file.file.open("rb") as handle:
            files[report_file.format] = handle.read()
    return files


def compute(op) -> dict:
    return report_compute(
        rule_set="esfplus2021", operation=op, date_from=FROM, date_to=TO
    )


def test_erasure_leaves_the_produced_report_byte_identical_and_a_rerun_the_same(
    django_capture_on_commit_callbacks,
):
    op = operation("esfplus2021")
    case_file = the_person(op)
    participation(op, gender="male", exit=D(2025, 6, 30))  # someone else
    lead = make_user("lea", org_code="cdm", role=User.Role.LEAD)
    lead.programmes_led.add(op.programme)
    job = produced_report(op, lead)
    before_files, before_result = stored_files(job), job.result
    before = compute(op)
    assert before["indicators"]["EECO01"]["women"] == 1
    # Aged 20 at entry (the day before her birthday), long-term unemployed, disabled.
    evidence = Outcome.objects.get(case_file=case_file).evidence_file.name
    assert evidence_storage.exists(evidence)

    with django_capture_on_commit_callbacks(execute=True):
        anonymisation.young_person_erase(
            person=case_file.young_person,
            acting_user=dpo(),
            reason="Request by e-mail",
        )

    job.refresh_from_db()
    assert stored_files(job) == before_files
    assert job.result == before_result
    after = compute(op)
    assert after["indicators"] == before["indicators"]
    assert after["checksum"] == before["checksum"]
    again = produced_report(op, lead)
    assert again.checksum == job.checksum
    assert again.result["indicators"] == before_result["indicators"]

    person = YoungPerson.objects.get(pk=case_file.young_person_id)
    assert person.anonymised_at is not None
    assert person.last_name == anonymisation.PLACEHOLDER
    assert (person.phone, person.email, person.other_languages) == ("", "", "")
    assert person.birth_date != D(2004, 2, 29)
    assert person.age_on(D(2025, 2, 28)) == 20
    assert not evidence_storage.exists(evidence)
    assert traces_of_the_person() == []
    # The erasure's own trace says who, when and why, and nothing of the person.
    erased = AuditEvent.objects.filter(action=AuditEvent.Action.ERASE)
    assert {event.actor.username for event in erased} == {"delphine"}
    assert erased.filter(case_file=case_file).get().changes == {
        "reason": "Request by e-mail"
    }
    # Who changed which field when stays; no value, nor its fingerprint.
    trail = AuditEvent.objects.filter(
        object_type="youthtrack.youngperson", object_id=person.pk, action="update"
    )
    assert {"last_name", "phone"} <= {key for e in trail for key in e.changes}
    for event in trail:
        for value in event.changes.values():
            assert value == {"changed": True} or set(value) <= {
                None,
                anonymisation.PLACEHOLDER,
            }


def test_a_record_merged_into_the_person_is_erased_with_them():
    case_file = the_person(operation())
    person = case_file.young_person
    duplicate = YoungPersonFactory(
        first_name="Zéphyrine",
        last_name=NAME[1],
        phone="0477 00 11 22",
        birth_date=BORN,
        created_by_organisation=org("cdm"),
        merged_into=person,
    )
    anonymisation.young_person_erase(person=person, acting_user=dpo(), reason="x")
    duplicate.refresh_from_db()
    assert duplicate.anonymised_at is not None
    assert (duplicate.last_name, duplicate.phone) == (anonymisation.PLACEHOLDER, "")
    assert duplicate.birth_date == D(2005, 2, 28)  # her age at entry, no more
    assert traces_of_the_person() == []
    assert "0477 00 11 22" not in everything_in_the_database()


def test_a_reason_naming_the_person_loses_the_name():
    case_file = the_person(operation())
    anonymisation.young_person_erase(
        person=case_file.young_person,
        acting_user=dpo(),
        reason=f"Demande de {NAME[0]} {NAME[1]} par courrier",
    )
    assert traces_of_the_person() == []


def test_only_a_data_protection_officer_erases_with_a_reason_and_a_closed_file():
    op = operation()
    case_file = the_person(op)
    person = case_file.young_person
    for role in (User.Role.ADVISOR, User.Role.LEAD, User.Role.ADMIN):
        with pytest.raises(PermissionDenied):
            anonymisation.young_person_erase(
                person=person, acting_user=make_user(role, org_code="cdm", role=role),
                reason="asked",
            )  # fmt: skip
    # The officer of another organisation does not answer for this file.
    with pytest.raises(PermissionDenied):
        anonymisation.young_person_erase(
            person=person,
            acting_user=make_user("otto", org_code="actiris", role=User.Role.DPO),
            reason="asked",
        )
    with pytest.raises(ValidationError, match="Say why"):
        anonymisation.young_person_erase(person=person, acting_user=dpo(), reason=" ")
    open_file = participation(op, person=person, entry=D(2025, 11, 1))
    with pytest.raises(AnonymisationRefused, match=f"#{open_file.pk}"):
        anonymisation.young_person_erase(
            person=person, acting_user=User.objects.get(username="delphine"), reason="x"
        )
    assert YoungPerson.objects.get(pk=person.pk).first_name == NAME[0]


def test_a_legal_hold_stops_erasure_and_retention_until_it_is_lifted():
    op = operation()
    op.retention_until = D(2026, 1, 31)
    op.save()
    case_file = the_person(op)
    lead = make_user("lea", org_code=case_file.owner_organisation.code, role="lead")
    anonymisation.legal_hold_set(
        case_file=case_file, acting_user=lead, reason="ESF+ audit 2026"
    )
    with pytest.raises(AnonymisationRefused, match="legal hold"):
        anonymisation.young_person_erase(
            person=case_file.young_person, acting_user=dpo(), reason="asked"
        )
    report = anonymisation.retention_run(today=D(2026, 2, 1), dry_run=False)
    assert report.held == {op.reference: [case_file.pk]}
    assert report.anonymised_files == []
    assert YoungPerson.objects.get(pk=case_file.young_person_id).first_name == NAME[0]
    # An advisor may neither set nor lift it.
    advisor = User.objects.get(username="sarah")
    with pytest.raises(PermissionDenied):
        anonymisation.legal_hold_clear(case_file=case_file, acting_user=advisor)
    anonymisation.legal_hold_clear(case_file=case_file, acting_user=lead)
    assert list(
        AuditEvent.objects.filter(case_file=case_file, action__in=["hold", "release"])
        .order_by("pk")
        .values_list("action", "actor__username")
    ) == [("hold", "lea"), ("release", "lea")]
    report = anonymisation.retention_run(today=D(2026, 2, 1), dry_run=False)
    assert report.anonymised_files == [case_file.pk]


def test_retention_dry_run_changes_nothing_then_the_run_twice_is_idempotent():
    op = operation()  # ends 2027-12-31: kept until 2032-12-31 by default
    case_file = the_person(op)
    still_open = participation(op, entry=D(2025, 4, 1))
    assert op.retention_end() == D(2032, 12, 31)
    nothing = anonymisation.retention_run(today=D(2032, 12, 31), dry_run=True)
    assert nothing.due_count == 0
    snapshot = everything_in_the_database()

    out = io.StringIO()
    call_command("retention", "--dry-run", "--today", "2033-01-01", stdout=out)
    assert f"{op.reference}: 1 case file(s) to anonymise (#{case_file.pk})" in (
        out.getvalue()
    )
    assert NAME[0] not in out.getvalue()
    assert everything_in_the_database() == snapshot

    out = io.StringIO()
    call_command("retention", "--today", "2033-01-01", stdout=out)
    assert "Anonymised: 1 case file(s), 1 person(s)" in out.getvalue()
    assert traces_of_the_person() == []
    assert CaseFile.objects.get(pk=still_open.pk).anonymised_at is None
    after_first = everything_in_the_database()

    out = io.StringIO()
    call_command("retention", "--today", "2033-01-01", stdout=out)
    assert "Total: 0 to anonymise" in out.getvalue()
    assert everything_in_the_database() == after_first


def test_the_periodic_task_takes_nothing_and_runs_the_retention(settings):
    # In this process also when CI configures a broker: the worker cannot see this
    # test's uncommitted data (tests/test_worker.py runs tasks on a real worker).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    op = operation()
    op.retention_until = D(2020, 1, 1)
    op.save()
    case_file = the_person(op)
    assert retention_task.delay().get() == {"case_files": 1, "people": 1, "held": 0}
    assert CaseFile.objects.get(pk=case_file.pk).anonymised_at is not None
    assert retention_task.delay().get() == {"case_files": 0, "people": 0, "held": 0}
    assert "retention" in settings.CELERY_BEAT_SCHEDULE


def test_a_person_keeps_their_name_while_another_case_file_of_theirs_is_kept():
    op = operation()
    op.retention_until = D(2026, 1, 1)
    op.save()
    case_file = the_person(op)
    later = operation()  # a later operation, kept longer
    other = participation(later, person=case_file.young_person, entry=D(2025, 12, 1))
    anonymisation.retention_run(today=D(2026, 6, 1), dry_run=False)
    assert CaseFile.objects.get(pk=case_file.pk).anonymised_at is not None
    assert Note.objects.get(case_file=case_file).text == ""
    assert Consent.objects.get(case_file=case_file).guardian_name == ""
    person = YoungPerson.objects.get(pk=case_file.young_person_id)
    assert (person.first_name, person.anonymised_at) == (NAME[0], None)
    assert CaseFile.objects.get(pk=other.pk).anonymised_at is None


def test_kept_birth_date_gives_every_age_at_entry_and_no_more():
    born = D(2004, 2, 29)
    entries = [D(2025, 2, 28), D(2025, 3, 1), D(2023, 6, 1)]
    kept = anonymisation.kept_birth_date(born, entries)
    for day in entries:
        assert anonymisation.age_on(kept, day) == anonymisation.age_on(born, day)
    # 21 on 1 March 2025 allows nothing after 1 March 2004; 20 on 28 February 2025,
    # nothing on or before 28 February 2004: the day itself is gone.
    assert kept == D(2004, 3, 1)
    assert anonymisation.kept_birth_date(born, [D(2025, 2, 28)]) == D(2005, 2, 28)


def test_deleting_a_case_file_or_person_with_history_is_refused():
    case_file = the_person(operation())
    with pytest.raises(ProtectedError):
        Note.objects.get(case_file=case_file).case_file.delete()
    for model in (Note, Consent, CaseStatusChange):
        field = model._meta.get_field("case_file")
        assert field.remote_field.on_delete.__name__ == "PROTECT", model
    with pytest.raises(ProtectedError):
        YoungPerson.objects.get(pk=case_file.young_person_id).delete()
    assert Note.objects.filter(case_file=case_file).exists()


def dpo_client(user: User):
    client = signed_in(user, HTTP_ACCEPT_LANGUAGE="en")
    verify_session(client, confirmed_device(user))
    return client


def test_the_officer_sees_what_erasure_does_confirms_with_a_reason_and_it_is_done(
    django_capture_on_commit_callbacks,
):
    op = operation()
    case_file = the_person(op)
    lead = make_user("lea", org_code="cdm", role=User.Role.LEAD)
    lead.programmes_led.add(op.programme)
    job = produced_report(op, lead)
    officer = dpo()
    client = dpo_client(officer)
    url = reverse("outcomes:person_erase", args=[case_file.young_person_id])
    person_page = client.get(
        reverse("dpo_person", kwargs={"person_pk": case_file.young_person_id})
    )
    assert url in person_page.content.decode()

    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert f"#{case_file.pk}" in text
    assert "follow-up notes: 1" in text.lower()
    assert "Evidence documents deleted: 1" in text
    assert job.operation.reference in text  # the report that counts her
    assert "Erase for good" in text

    # Without the box ticked: the page again, nothing erased.
    refused = client.post(url, {"reason": "Request of 3 March"})
    assert refused.status_code == 200
    assert "Tick the box" in refused.content.decode()
    assert YoungPerson.objects.get(pk=case_file.young_person_id).anonymised_at is None

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"reason": "Request of 3 March", "confirm": "on"}, follow=True
        )
    assert done.status_code == 200
    assert "The person is erased" in done.content.decode()
    assert traces_of_the_person() == []


def test_the_page_says_why_a_person_cannot_be_erased_and_offers_no_button():
    op = operation()
    case_file = the_person(op)
    lead = make_user("lea", org_code="cdm", role=User.Role.LEAD)
    anonymisation.legal_hold_set(case_file=case_file, acting_user=lead, reason="Audit")
    client = dpo_client(dpo())
    url = reverse("outcomes:person_erase", args=[case_file.young_person_id])
    text = client.get(url).content.decode()
    assert "Under legal hold (a file under audit)" in text
    assert "Erase for good" not in text
    client.post(url, {"reason": "asked", "confirm": "on"})
    assert YoungPerson.objects.get(pk=case_file.young_person_id).first_name == NAME[0]


def test_a_lead_sets_and_lifts_a_legal_hold_from_the_case_page():
    case_file = the_person(operation())
    lead = make_user("lea", org_code="cdm", role=User.Role.LEAD)
    client = signed_in(lead, HTTP_ACCEPT_LANGUAGE="en")
    case_page = client.get(reverse("case_detail", args=[case_file.pk]))
    hold_url = reverse("outcomes:legal_hold", args=[case_file.pk])
    assert hold_url in case_page.content.decode()
    assert "Kept with the person" in case_page.content.decode()

    empty = client.post(hold_url, {"set": "1", "reason": "  "})
    assert "Say which audit" in empty.content.decode()
    client.post(hold_url, {"set": "1", "reason": "ESF+ audit 2026"})
    held = CaseFile.objects.get(pk=case_file.pk)
    assert (held.legal_hold_reason, held.legal_hold_by) == ("ESF+ audit 2026", lead)
    client.post(hold_url, {"lift": "1"})
    assert CaseFile.objects.get(pk=case_file.pk).legal_hold_since is None
    # The advisor sees no hold panel and may not reach the page.
    advisor_client = signed_in(User.objects.get(username="sarah"))
    assert (
        hold_url
        not in advisor_client.get(
            reverse("case_detail", args=[case_file.pk])
        ).content.decode()
    )
    assert advisor_client.get(hold_url).status_code == 404


def test_an_anonymised_case_file_is_kept_for_the_figures_and_changed_by_nobody():
    case_file = the_person(operation())
    advisor = User.objects.get(username="sarah")
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    note_url = reverse("note_create", args=[case_file.pk])
    assert client.get(note_url).status_code == 200
    anonymisation.young_person_erase(
        person=case_file.young_person, acting_user=dpo(), reason="asked"
    )
    assert client.get(note_url).status_code == 403
    assert not Note.objects.filter(case_file=case_file).exclude(text="").exists()


def test_a_file_is_due_the_day_after_its_retention_end_and_not_before():
    op = operation()
    op.retention_until = D(2026, 1, 31)
    op.save()
    with_date = the_person(op)
    without_operation = participation(op, exit=D(2025, 9, 30))
    CaseFile.objects.filter(pk=without_operation.pk).update(operation=None)
    without_operation.refresh_from_db()
    assert anonymisation.retention_end_of(without_operation) == D(2030, 12, 31)
    for day, expected in [
        (D(2026, 1, 31), set()),
        (D(2026, 2, 1), {with_date.pk}),
        (D(2030, 12, 31), {with_date.pk}),
        (D(2031, 1, 1), {with_date.pk, without_operation.pk}),
    ]:
        due = set(anonymisation.retention_due(day).values_list("pk", flat=True))
        assert due == expected, day
