"""The demo data command: logins that work, people and case files that pass every rule
the services apply, and a second run that adds nothing."""

import io

import pytest
from django.core.management import call_command

from tests.factories import DEMO_PASSWORD
from youthtrack.management.commands.seed_demo import DEMO_USERS
from youthtrack.models import CaseFile, User, YoungPerson
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
    assert set(users) == set(DEMO_USERS) and len(DEMO_USERS) == 5
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
