"""The demo data command: logins that work, people and case files that pass every rule
the services apply, and a second run that adds nothing."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from outcomes.management.commands.seed_demo import DEMO_USERS
from programmes.models import Cohort, Enrolment
from tests.factories import DEMO_PASSWORD
from youthtrack.models import CaseFile, Share, User, YoungPerson
from youthtrack.services import validate_case_file, validate_young_person

PEOPLE = 30


@pytest.fixture
def seeded(db) -> str:
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=1, stdout=out)
    return out.getvalue()


def test_the_demo_logins_work_with_the_published_password(seeded):
    users = {
        user.username: user for user in User.objects.filter(username__in=DEMO_USERS)
    }
    assert set(users) == set(DEMO_USERS) and len(DEMO_USERS) == 6
    for username, (_first, _last, role, organisation, staff) in DEMO_USERS.items():
        user = users[username]
        assert user.check_password(DEMO_PASSWORD), username
        assert user.is_active
        assert (user.role, user.organisation.code, user.is_staff) == (
            role,
            organisation,
            staff,
        )
        assert username in seeded
    assert {u.role for u in users.values()} == set(User.Role.values)


def test_the_demo_builds_the_people_asked_for_with_valid_case_files(seeded):
    assert YoungPerson.objects.count() == PEOPLE
    cases = CaseFile.objects.select_related("young_person", "programme")
    assert cases.count() >= PEOPLE
    assert not YoungPerson.objects.filter(case_files__isnull=True).exists()
    for person in YoungPerson.objects.all():
        validate_young_person(person)
    for case_file in cases:
        validate_case_file(case_file)
        history = list(case_file.status_changes.order_by("changed_at", "pk"))
        assert history[0].to_status == CaseFile.Status.INTAKE
        assert history[-1].to_status == case_file.status


def test_the_demo_has_no_two_people_with_the_same_name_and_birth_date(seeded):
    keys = list(YoungPerson.objects.values_list("name_key", "birth_date"))
    assert len(keys) == len(set(keys))


def test_running_the_demo_again_adds_nothing(seeded):
    def counts():
        return (
            YoungPerson.objects.count(),
            CaseFile.objects.count(),
            User.objects.count(),
        )

    before = counts()
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=1, stdout=out)
    assert counts() == before
    assert "nothing added" in out.getvalue()
    # The logins still work.
    assert User.objects.get(username="advisor").check_password(DEMO_PASSWORD)


@pytest.fixture
def full_demo(db) -> str:
    """The demo as ``bin/demo`` builds it (200 people)."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_holds_what_the_readme_promises(full_demo):
    assert YoungPerson.objects.count() == 200
    shares = Share.objects.filter(
        partner__code="actiris", case_file__advisor__username="advisor"
    )
    assert shares.filter(status=Share.Status.ACCEPTED).count() == 9
    assert shares.filter(status=Share.Status.PENDING).count() == 3
    today = timezone.localdate()
    (cohort,) = Cohort.objects.filter(programme__code="uppercut")
    assert 0 < (cohort.start_date - today).days <= 7
    assert cohort.start_date.weekday() == 0
    assert cohort.sessions.count() == 10  # two weeks of weekday mornings
    assert cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count() == 8
    # Workshops under way, so that a register can be taken today.
    (workshops,) = Cohort.objects.filter(programme__code="youth-cdm")
    assert workshops.start_date < today - datetime.timedelta(days=6)
    assert workshops.sessions.filter(starts_at__lt=timezone.now()).count() >= 5
    assert workshops.enrolments.filter(status=Enrolment.Status.ENROLLED).count() == 6


def test_reset_rebuilds_the_demo_instead_of_adding_to_it(seeded):
    first_names = set(YoungPerson.objects.values_list("first_name", "last_name"))
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=2, reset=True, stdout=out)
    assert YoungPerson.objects.count() == PEOPLE
    assert set(YoungPerson.objects.values_list("first_name", "last_name")) != (
        first_names
    )
    assert User.objects.get(username="advisor").check_password(DEMO_PASSWORD)


def test_the_demo_runs_without_the_test_tree_or_fake_data_libraries():
    """factory-boy and Faker are development tools: the demo must not need them (nor
    anything under tests/)."""
    probe = (
        "import sys, django; django.setup(); "
        "import outcomes.management.commands.seed_demo; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'tests', 'factory', 'faker'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "youthtrack.settings.local"},
    )
    assert result.stdout.strip() == "[]"


def test_demo_files_count_under_the_operation_covering_their_entry_date(seeded):
    """bulk-created demo files get the operation the intake would have chosen."""
    from youthtrack.models import CaseFile

    touchngo = CaseFile.objects.filter(programme__code="touchngo")
    assert touchngo.exists()
    for case_file in touchngo.select_related("operation"):
        operation = case_file.operation
        assert operation is not None
        assert operation.start <= case_file.entry_date <= operation.end


def test_nothing_in_the_demo_happened_later_than_now(seeded):
    """'Recently changed' showed demo files changed an hour in the future."""
    from django.utils import timezone

    from youthtrack.models import AuditEvent, CaseFile, Note

    now = timezone.now()
    assert not CaseFile.objects.filter(updated_at__gt=now).exists()
    assert not CaseFile.objects.filter(created_at__gt=now).exists()
    assert not Note.objects.filter(created_at__gt=now).exists()
    assert not AuditEvent.objects.filter(at__gt=now).exists()


def test_recently_closed_demo_files_have_their_follow_ups(seeded):
    """The advisor's dashboard shows due and overdue follow-ups from the start."""
    import datetime

    from django.utils import timezone

    from outcomes.models import FollowUp
    from youthtrack.models import CaseFile

    since = timezone.localdate() - datetime.timedelta(days=213)
    recent = CaseFile.objects.filter(
        status=CaseFile.Status.CLOSED, exit_date__gte=since
    )
    assert recent.exists()
    for case_file in recent:
        kinds = set(case_file.exit_follow_ups.values_list("kind", flat=True))
        assert kinds == {FollowUp.Kind.UPON_LEAVING, FollowUp.Kind.SIX_MONTHS}


def test_most_demo_leavers_have_an_outcome_for_the_funder_reports(seeded):
    from outcomes.models import Outcome
    from youthtrack.models import CaseFile

    closed = CaseFile.objects.filter(status=CaseFile.Status.CLOSED)
    with_outcome = closed.filter(outcomes__isnull=False).distinct().count()
    assert closed.count() and with_outcome >= closed.count() // 2
    assert not Outcome.objects.filter(case_file__status=CaseFile.Status.ACTIVE).exists()
    for outcome in Outcome.objects.select_related("case_file"):
        assert outcome.start_date >= outcome.case_file.entry_date


def test_demo_referrals_say_what_they_ask_for_the_programme_of_their_file(seeded):
    shares = list(Share.objects.select_related("case_file__programme"))
    assert shares
    for share in shares:
        programme = share.case_file.programme
        # Named by its short name ("Uppercut" for "Uppercut ! Trouve ta voix/e").
        short_name = programme.name_fr.split(" ")[0]
        assert f"({short_name}" in share.purpose, (
            programme.code,
            share.purpose,
        )
    assert {s.case_file.programme.code for s in shares} > {"touchngo"}


def test_demo_languages_read_in_the_interface_language(seeded):
    from youthtrack.language_names import in_language

    typed = [
        text
        for text in YoungPerson.objects.exclude(other_languages="").values_list(
            "other_languages", flat=True
        )
    ]
    assert typed
    for text in typed:
        # Every language the demo writes is known, so an English or Dutch reader
        # never reads French words.
        english = in_language(text, "en")
        assert english != text or text == in_language(text, "fr"), text
        for word in ("anglais", "arabe", "turc", "polonais", "roumain"):
            assert word not in english.casefold().split(", "), text


def test_the_demo_keeps_the_copies_the_dashboard_reads(seeded):
    """Written in bulk, the demo's files still carry their consent to keep them
    (``keep_consent_until``) and its follow-ups their file's advisor."""
    from django.db.models import F
    from django.utils import timezone

    from outcomes.models import FollowUp
    from youthtrack.filters import keep_consent_in_force
    from youthtrack.models import CaseFile

    today = timezone.localdate()
    in_force = set(
        CaseFile.objects.filter(keep_consent_in_force(today)).values_list(
            "pk", flat=True
        )
    )
    copied = set(
        CaseFile.objects.filter(keep_consent_until__gte=today).values_list(
            "pk", flat=True
        )
    )
    assert in_force
    assert copied == in_force
    follow_ups = FollowUp.objects.all()
    assert follow_ups.exists()
    assert not follow_ups.exclude(advisor_id=F("case_file__advisor_id")).exists()
