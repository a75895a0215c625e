"""Outcome records, the exit of a participation, re-entry in the same operation, the
follow-ups after exit and their reminders: the services."""

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from outcomes.models import FollowUp, Outcome, evidence_storage
from outcomes.records import services
from outcomes.tasks import follow_up_reminders
from tests.factories import reference as ref
from tests.factories.helpers import case_data, person_data
from tests.youthtrack.sharing_helpers import make_user, share_case
from youthtrack import services as case_services
from youthtrack.models import AuditEvent, CaseFile, Share, User

from .records_helpers import (
    EXE,
    PNG,
    active_case,
    big_pdf,
    cdm_advisor,
    days,
    today,
    upload,
)

pytestmark = pytest.mark.django_db

JOB = {
    "kind": Outcome.Kind.JOB,
    "organisation_name": "Boulangerie Dupont",
    "contract_kind": Outcome.ContractKind.FIXED_TERM,
    "weekly_hours": 38,
    "source": Outcome.Source.EMPLOYER,
    "verification_note": "Contrat vu",
}


@pytest.fixture
def advisor():
    return cdm_advisor()


@pytest.fixture
def case(advisor):
    return active_case(advisor)


def close(case, advisor, *, exit_date=None, outcome=None, evidence=None):
    return services.participation_exit(
        case_file=case,
        acting_user=advisor,
        exit_date=exit_date or today(),
        exit_reason=CaseFile.ExitReason.COMPLETED,
        comment="",
        expected_version=CaseFile.objects.get(pk=case.pk).version,
        outcome_data=outcome,
        evidence=evidence,
    )


def follow_ups(case) -> dict[str, datetime.date]:
    return dict(
        FollowUp.objects.filter(case_file=case, answered_on__isnull=True).values_list(
            "kind", "due_on"
        )
    )


# --- outcomes ---


def test_an_outcome_is_recorded_with_its_evidence_stored_under_a_random_name(
    case, advisor, settings
):
    evidence = services.evidence_check(upload(PNG, "contrat.png"))
    outcome = services.outcome_record(
        case_file=case,
        acting_user=advisor,
        data={**JOB, "start_date": today() - days(3)},
        evidence=evidence,
    )
    assert outcome.evidence_content_type == "image/png"
    assert outcome.evidence_name == "contrat.png"
    name = outcome.evidence_file.name
    assert "contrat" not in name and name.endswith(".png") and len(name) > 40
    path = evidence_storage.path(name)
    assert path.startswith(str(settings.OUTCOMES_EVIDENCE_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert evidence_storage.open(name).read() == PNG
    assert AuditEvent.objects.filter(
        object_type="outcomes.outcome", object_id=outcome.pk, action="create"
    ).exists()


def test_an_outcome_before_the_entry_date_or_ending_before_it_starts_is_refused(
    case, advisor
):
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(
            case_file=case,
            acting_user=advisor,
            data={
                **JOB,
                "start_date": case.entry_date - days(1),
                "end_date": case.entry_date - days(5),
            },
        )
    assert set(refused.value.message_dict) == {"start_date", "end_date"}
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    "document",
    [pytest.param(lambda: upload(EXE, "cv.pdf"), id="executable"), big_pdf],
)
def test_an_executable_or_a_30_mb_document_is_refused(document):
    with pytest.raises(ValidationError) as refused:
        services.evidence_check(document())
    assert list(refused.value.message_dict) == ["evidence_file"]


def test_contract_and_hours_are_kept_for_a_job_only(case, advisor):
    outcome = services.outcome_record(
        case_file=case,
        acting_user=advisor,
        data={**JOB, "kind": Outcome.Kind.QUALIFYING_TRAINING, "start_date": today()},
    )
    outcome.refresh_from_db()
    assert (outcome.contract_kind, outcome.weekly_hours) == ("", None)


# --- partners ---


@pytest.mark.parametrize(
    ("scope", "allowed"), [(Share.Scope.OUTCOMES, True), (Share.Scope.NOTES, False)]
)
def test_only_a_partner_with_the_outcomes_scope_records_an_outcome(
    case, advisor, scope, allowed
):
    partner = make_user("lotte", org_code="actiris")
    share_case(case, owner=advisor, partner_user=partner, scope=scope)
    partner = User.objects.select_related("organisation").get(
        pk=partner.pk
    )  # as a request loads it
    record = lambda: services.outcome_record(  # noqa: E731
        case_file=case,
        acting_user=partner,
        data={**JOB, "start_date": today()},
    )
    if allowed:
        assert record().recorded_by == partner
    else:
        with pytest.raises(PermissionDenied):
            record()
        assert not Outcome.objects.exists()


# --- exit ---


def test_the_exit_closes_records_the_situation_and_schedules_two_follow_ups(
    case, advisor
):
    exit_date = today() - days(2)
    closed = close(
        case,
        advisor,
        exit_date=exit_date,
        outcome={
            **JOB,
            "kind": Outcome.Kind.QUALIFYING_TRAINING,
            "start_date": today() + days(10),
        },
        evidence=services.evidence_check(upload()),
    )
    assert (closed.status, closed.exit_date) == (CaseFile.Status.CLOSED, exit_date)
    assert closed.outcomes.get().kind == Outcome.Kind.QUALIFYING_TRAINING
    assert follow_ups(case) == {
        "upon_leaving": exit_date + days(28),
        "six_months": services._add_months(exit_date, 6),
    }


def test_six_months_after_the_31st_of_august_is_the_last_day_of_february():
    assert services.follow_up_due_dates(datetime.date(2025, 8, 31))[
        "six_months"
    ] == datetime.date(2026, 2, 28)


def stored_files() -> set[str]:
    try:
        return set(evidence_storage.listdir("evidence")[1])
    except FileNotFoundError:
        return set()


def test_a_refused_exit_saves_nothing_not_even_the_evidence_file(case, advisor):
    files_before = stored_files()
    evidence = services.evidence_check(upload())
    with pytest.raises(ValidationError) as refused:
        close(
            case,
            advisor,
            exit_date=case.entry_date - days(1),
            outcome={**JOB, "start_date": case.entry_date - days(3)},
            evidence=evidence,
        )
    assert {"exit_date", "start_date"} <= set(refused.value.message_dict)
    case.refresh_from_db()
    assert case.status == CaseFile.Status.ACTIVE
    assert not Outcome.objects.exists() and not FollowUp.objects.exists()
    assert stored_files() == files_before


def test_changing_the_exit_date_moves_the_open_follow_ups(case, advisor):
    closed = close(case, advisor, exit_date=today() - days(10))
    new_exit = today() - days(4)
    case_services.case_file_update(
        case_file=closed,
        acting_user=advisor,
        data={"exit_date": new_exit},
        expected_version=closed.version,
    )
    assert follow_ups(case) == {
        "upon_leaving": new_exit + days(28),
        "six_months": services._add_months(new_exit, 6),
    }


def test_reopening_withdraws_the_open_follow_ups_and_the_final_exit_counts(
    case, advisor
):
    closed = close(case, advisor, exit_date=today() - days(20))
    reopened = case_services.case_file_transition(
        case_file=closed,
        acting_user=advisor,
        to_status=CaseFile.Status.ACTIVE,
        effective_date=today() - days(5),
        expected_version=closed.version,
    )
    assert follow_ups(case) == {}
    close(reopened, advisor, exit_date=today())
    assert follow_ups(case)["upon_leaving"] == today() + days(28)


# --- re-entry: once per operation ---


BORN = datetime.date(2003, 6, 1)


def _intake(advisor, entry_date, person=None):
    return case_services.case_file_intake(
        acting_user=advisor,
        person_data=None if person else person_data(birth_date=BORN),
        case_data=case_data(entry_date=entry_date, programme=ref.programme("touchngo")),
        existing_person=person,
    )


def test_re_entry_in_the_same_operation_reopens_the_same_participation(advisor):
    first = _intake(advisor, today() - days(200))
    first = case_services.case_file_transition(
        case_file=first,
        acting_user=advisor,
        to_status=CaseFile.Status.ACTIVE,
        effective_date=first.entry_date,
        expected_version=first.version,
    )
    close(first, advisor, exit_date=today() - days(100))
    again = _intake(advisor, today() - days(10), person=first.young_person)
    assert again.pk == first.pk
    assert again.status == CaseFile.Status.ACTIVE
    assert again.entry_date == today() - days(200)  # the first entry stays
    assert again.exit_date is None  # the final exit will be the next one
    assert CaseFile.objects.filter(young_person=first.young_person).count() == 1
    close(again, advisor, exit_date=today())
    assert CaseFile.objects.get(pk=first.pk).exit_date == today()


def test_a_re_entry_dated_before_the_last_exit_is_refused(advisor):
    first = _intake(advisor, today() - days(200))
    close(first, advisor, exit_date=today() - days(100))
    with pytest.raises(ValidationError) as refused:
        _intake(advisor, today() - days(150), person=first.young_person)
    assert list(refused.value.message_dict) == ["entry_date"]


def test_a_different_operation_is_a_new_participation(advisor):
    old = _intake(advisor, datetime.date(2020, 3, 2))
    close(old, advisor, exit_date=datetime.date(2020, 9, 1))
    new = _intake(advisor, today(), person=old.young_person)
    assert new.pk != old.pk
    assert new.operation != old.operation
    assert new.status == CaseFile.Status.INTAKE


# --- follow-up answers ---


def test_unreachable_is_an_answer_after_enough_attempts_only(case, advisor, settings):
    close(case, advisor)
    follow_up = FollowUp.objects.get(case_file=case, kind="upon_leaving")
    answer = lambda attempts: services.follow_up_answer(  # noqa: E731
        follow_up=follow_up,
        acting_user=advisor,
        situation=FollowUp.Situation.UNREACHABLE,
        attempts=attempts,
        comment="",
        outcome_data=None,
    )
    with pytest.raises(ValidationError) as refused:
        answer(settings.OUTCOMES_UNREACHABLE_ATTEMPTS - 1)
    assert list(refused.value.message_dict) == ["attempts"]
    answered = answer(settings.OUTCOMES_UNREACHABLE_ATTEMPTS)
    assert answered.answered_on == today() and answered.outcome is None
    assert AuditEvent.objects.filter(
        object_type="outcomes.followup", object_id=follow_up.pk, action="update"
    ).exists()


def test_an_employed_answer_records_a_job_outcome(case, advisor):
    close(case, advisor)
    follow_up = FollowUp.objects.get(case_file=case, kind="six_months")
    answered = services.follow_up_answer(
        follow_up=follow_up,
        acting_user=advisor,
        situation=FollowUp.Situation.EMPLOYED,
        attempts=1,
        comment="",
        outcome_data={
            **{k: v for k, v in JOB.items() if k != "kind"},
            "start_date": today(),
        },
    )
    assert answered.outcome.kind == Outcome.Kind.JOB
    with pytest.raises(ValidationError):  # answered once
        services.follow_up_answer(
            follow_up=follow_up,
            acting_user=advisor,
            situation=FollowUp.Situation.INACTIVE,
            attempts=1,
            comment="",
            outcome_data={"start_date": today(), "source": "young_person"},
        )


# --- reminders ---


def test_the_reminder_task_run_twice_sends_each_reminder_once(case, advisor):
    close(case, advisor, exit_date=today() - days(28))  # upon leaving due today
    assert follow_up_reminders.apply().get() == 1
    assert follow_up_reminders.apply().get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [advisor.email]
    assert str(case.pk) in message.subject
    assert "Yasmina" not in message.body + message.subject  # no name in an e-mail


def test_a_moved_follow_up_is_reminded_again_on_its_new_date(case, advisor):
    closed = close(case, advisor, exit_date=today() - days(30))
    follow_up_reminders.apply().get()
    case_services.case_file_update(
        case_file=closed,
        acting_user=advisor,
        data={"exit_date": today() - days(28)},
        expected_version=closed.version,
    )
    assert follow_up_reminders.apply().get() == 1
    assert len(mail.outbox) == 2


def test_evidence_is_kept_outside_every_folder_the_web_server_serves():
    from youthtrack.settings import base

    root = Path(base.OUTCOMES_EVIDENCE_ROOT).resolve()
    served = [base.STATIC_ROOT, *base.STATICFILES_DIRS]
    if getattr(base, "MEDIA_ROOT", ""):
        served.append(base.MEDIA_ROOT)
    for folder in served:
        folder = Path(folder).resolve()
        assert not root.is_relative_to(folder) and not folder.is_relative_to(root)
    with pytest.raises(ValueError):  # no URL to link to: only the gated view
        services.evidence_storage.url("evidence/anything.pdf")
