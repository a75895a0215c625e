"""Reads go through the gate: who sees which case files, notes and people, what others
changed since a form was opened, and what the advisor's day is made of."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import CaseFileFactory, NoteFactory, UserFactory
from youthtrack import selectors, services
from youthtrack.models import CaseFile, Commune, Note

from .helpers import CAN_EDIT, ROLES


@pytest.fixture
def actiris_case(other_advisor) -> CaseFile:
    return CaseFileFactory(
        active=True,
        owner_organisation=other_advisor.organisation,
        advisor=other_advisor,
    )


def _viewer(user_for, role):
    return user_for(role) or AnonymousUser()


# --- case files ---


@pytest.mark.parametrize("role", ROLES)
def test_case_files_each_role_sees(role, user_for, case_file, actiris_case):
    user = _viewer(user_for, role)
    visible = set(selectors.case_file_list_for_user(user=user))
    if role in CAN_EDIT:
        expected = {case_file}
    elif role == "other_advisor":
        expected = {actiris_case}
    else:  # partner staff (nothing shared yet), administrators, anonymous visitors
        expected = set()
    assert visible == expected


@pytest.mark.parametrize("role", ROLES)
def test_opening_a_case_file_out_of_reach_is_not_found(role, user_for, case_file):
    user = _viewer(user_for, role)
    if role in CAN_EDIT:
        assert selectors.case_file_get_for_user(user=user, pk=case_file.pk) == case_file
    else:
        with pytest.raises(Http404):
            selectors.case_file_get_for_user(user=user, pk=case_file.pk)


def test_a_case_file_that_does_not_exist_is_not_found_either(advisor, case_file):
    with pytest.raises(Http404):
        selectors.case_file_get_for_user(user=advisor, pk=case_file.pk + 1000)


def test_a_deactivated_advisor_sees_no_case_file(advisor, case_file):
    advisor.is_active = False
    advisor.save()
    assert not selectors.case_file_list_for_user(user=advisor).exists()


def test_an_advisor_without_organisation_sees_no_case_file(case_file):
    loner = UserFactory(organisation=None)
    assert not selectors.case_file_list_for_user(user=loner).exists()


def test_colleagues_share_the_organisations_caseload(advisor, colleague, lead):
    theirs = CaseFileFactory(advisor=colleague)
    unassigned = CaseFileFactory(advisor=None, created_by=lead)
    for user in (advisor, colleague, lead):
        visible = set(selectors.case_file_list_for_user(user=user))
        assert visible == {theirs, unassigned}


# --- notes ---


@pytest.fixture
def notes(case_file, advisor, colleague, other_advisor) -> dict[str, Note]:
    """Notes of every visibility, by the advisor, a colleague and another
    organisation's advisor (as a partner with whom the file is shared will write)."""

    def write(author, visibility):
        return NoteFactory(
            case_file=case_file,
            author=author,
            organisation=author.organisation,
            visibility=visibility,
        )

    V = Note.Visibility
    return {
        "mine private": write(advisor, V.PRIVATE),
        "mine organisation": write(advisor, V.ORGANISATION),
        "colleague private": write(colleague, V.PRIVATE),
        "colleague organisation": write(colleague, V.ORGANISATION),
        "colleague shared": write(colleague, V.SHARED),
        "other organisation": write(other_advisor, V.ORGANISATION),
        "other organisation shared": write(other_advisor, V.SHARED),
    }


def test_an_advisor_reads_their_own_notes_their_organisations_and_shared_ones(
    advisor, case_file, notes
):
    read = set(selectors.note_list_for_user(user=advisor, case_file=case_file))
    assert read == {
        notes["mine private"],
        notes["mine organisation"],
        notes["colleague organisation"],
        notes["colleague shared"],
        notes["other organisation shared"],
    }


def test_a_private_note_is_read_by_its_author_only(colleague, lead, case_file, notes):
    read_by_colleague = set(
        selectors.note_list_for_user(user=colleague, case_file=case_file)
    )
    read_by_lead = set(selectors.note_list_for_user(user=lead, case_file=case_file))
    assert notes["mine private"] not in read_by_colleague
    assert notes["mine private"] not in read_by_lead
    assert notes["colleague private"] in read_by_colleague
    assert notes["colleague private"] not in read_by_lead


def test_another_organisations_internal_note_stays_with_it(
    advisor, other_advisor, case_file, notes
):
    read = set(selectors.note_list_for_user(user=advisor, case_file=case_file))
    assert notes["other organisation"] not in read
    theirs = set(selectors.note_list_for_user(user=other_advisor, case_file=case_file))
    assert notes["other organisation"] in theirs
    assert notes["mine organisation"] not in theirs


def test_a_note_is_reached_through_its_own_case_file_only(advisor, case_file, notes):
    other_case = CaseFileFactory(advisor=advisor)
    mine = notes["mine organisation"]
    found = selectors.note_get_for_user(user=advisor, case_file=case_file, pk=mine.pk)
    assert found == mine
    with pytest.raises(Http404):
        selectors.note_get_for_user(user=advisor, case_file=other_case, pk=mine.pk)


def test_a_colleagues_private_note_is_not_found(advisor, case_file, notes):
    with pytest.raises(Http404):
        selectors.note_get_for_user(
            user=advisor, case_file=case_file, pk=notes["colleague private"].pk
        )


# --- young people ---


def test_a_young_person_is_reached_through_a_visible_case_file(
    advisor, other_advisor, case_file
):
    person = case_file.young_person
    assert selectors.young_person_get_for_user(user=advisor, pk=person.pk) == person
    with pytest.raises(Http404):
        selectors.young_person_get_for_user(user=other_advisor, pk=person.pk)


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Mélodie", "Vandersmissen"),
        ("melodie", "VANDERSMISSEN"),
        ("MÉLODIE", "vandersmissen"),
        ("  Melodie ", " Vandersmissen "),
    ],
)
def test_possible_duplicates_ignore_accents_and_case(
    advisor, case_file, first_name, last_name
):
    person = case_file.young_person
    matches = selectors.young_person_possible_duplicates(
        user=advisor,
        first_name=first_name,
        last_name=last_name,
        birth_date=person.birth_date,
    )
    assert list(matches) == [person]


def test_a_namesake_born_another_day_is_not_a_duplicate(advisor, case_file):
    person = case_file.young_person
    matches = selectors.young_person_possible_duplicates(
        user=advisor,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date - datetime.timedelta(days=1),
    )
    assert not matches.exists()


def test_a_person_with_two_case_files_is_one_duplicate(advisor, case_file):
    person = case_file.young_person
    CaseFileFactory(young_person=person, advisor=advisor, closed=True)
    matches = selectors.young_person_possible_duplicates(
        user=advisor,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
    )
    assert list(matches) == [person]


def test_people_of_case_files_out_of_reach_are_not_offered(other_advisor, case_file):
    person = case_file.young_person
    matches = selectors.young_person_possible_duplicates(
        user=other_advisor,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
    )
    assert not matches.exists()


# --- what changed since a form was opened ---


def test_changes_since_lists_what_others_changed_with_who_and_when(
    advisor, colleague, case_file, today
):
    opened_at = case_file.version
    new_follow_up = today + datetime.timedelta(days=61)
    services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"next_follow_up_on": new_follow_up, "referred_by": "CPAS de Jette"},
        expected_version=opened_at,
    )
    services.case_file_update(
        case_file=case_file,
        acting_user=advisor,
        data={"first_visit": not case_file.first_visit},
        expected_version=opened_at + 1,
    )
    current = CaseFile.objects.get(pk=case_file.pk)
    with translation.override("en"):
        changes = selectors.changes_since(obj=current, version=opened_at)
        shown_date = date_format(new_follow_up, "SHORT_DATE_FORMAT")
    by_field = {change.field: change for change in changes}
    assert set(by_field) == {"next follow-up", "referred by", "first visit this year"}
    # The colleague's save came first.
    assert changes[-1].field == "first visit this year"
    assert by_field["next follow-up"].after == shown_date
    assert by_field["next follow-up"].by == str(colleague)
    # "Referred by" is typed text: the trail keeps that it changed, not its values;
    # the form shows the value now.
    assert by_field["referred by"].before == ""
    assert by_field["referred by"].after == "CPAS de Jette"
    first_visit = by_field["first visit this year"]
    assert first_visit.by == str(advisor)
    assert first_visit.after == ("Yes" if current.first_visit else "No")
    assert first_visit.before == ("No" if current.first_visit else "Yes")
    assert all(change.at <= timezone.now() for change in changes)
    # Seen from the version after the colleague's save, only the advisor's remains.
    with translation.override("en"):
        later = selectors.changes_since(obj=current, version=opened_at + 1)
    assert [change.field for change in later] == ["first visit this year"]


def test_changes_since_the_current_version_is_nothing(colleague, case_file):
    services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"referred_by": "AMO du quartier (test)"},
        expected_version=case_file.version,
    )
    current = CaseFile.objects.get(pk=case_file.pk)
    assert selectors.changes_since(obj=current, version=current.version) == []


def test_changes_are_shown_in_the_readers_language(colleague, case_file):
    person = case_file.young_person
    opened_at = person.version
    # Bruxelles-Ville / Brussel-Stad, or Ixelles / Elsene if they live there already.
    new_commune = (
        Commune.objects.filter(code__in=["21004", "21009"])
        .exclude(pk=person.commune_id)
        .first()
    )
    assert new_commune.name_fr != new_commune.name_nl
    services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"commune": new_commune},
        expected_version=opened_at,
        case_file=case_file,
    )
    current = type(person).objects.get(pk=person.pk)
    for language, expected in (
        ("fr", new_commune.name_fr),
        ("nl", new_commune.name_nl),
    ):
        with translation.override(language):
            (change,) = selectors.changes_since(obj=current, version=opened_at)
        assert expected in change.after, language
        assert change.before != change.after


# --- the advisor's day ---


def _aged(case_file: CaseFile, days: int) -> None:
    """Pretend the case file was last changed ``days`` ago."""
    CaseFile.objects.filter(pk=case_file.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_dashboard_open_cases_are_mine_and_not_closed(advisor, colleague, today):
    mine = CaseFileFactory.create_batch(3, advisor=advisor, active=True)
    mine.append(CaseFileFactory(advisor=advisor))  # an intake is open too
    CaseFileFactory(advisor=advisor, closed=True)
    CaseFileFactory(advisor=colleague, active=True)
    day = selectors.dashboard_for_user(user=advisor)
    assert set(day["my_open_cases"]) == set(mine)
    assert day["my_open_count"] == len(mine)
    assert day["today"] == today


def test_dashboard_follow_ups_today_then_overdue_then_the_coming_week(advisor, today):
    def case_due_in(days):
        return CaseFileFactory(
            advisor=advisor,
            active=True,
            next_follow_up_on=today + datetime.timedelta(days=days),
        )

    overdue, due_today, in_a_week = case_due_in(-3), case_due_in(0), case_due_in(7)
    case_due_in(8)
    CaseFileFactory(advisor=advisor, active=True, next_follow_up_on=None)
    day = selectors.dashboard_for_user(user=advisor)
    # Each list once: the coming week no longer repeats the overdue files.
    assert day["follow_ups_today"].rows == [due_today]
    assert day["follow_ups_overdue"].rows == [overdue]
    assert day["follow_ups_coming"].rows == [in_a_week]


def test_dashboard_lists_files_without_contact_for_30_days(advisor, today):
    def case_entered(days_ago, status=CaseFile.Status.ACTIVE):
        return CaseFileFactory(
            advisor=advisor,
            status=status,
            entry_date=today - datetime.timedelta(days=days_ago),
            young_person__age=22,
        )

    def contact(case_file, days_ago):
        NoteFactory(
            case_file=case_file,
            contact_date=today - datetime.timedelta(days=days_ago),
        )

    quiet = case_entered(200)
    contact(quiet, 45)
    contact(quiet, 31)
    never_seen = case_entered(40)
    recent = case_entered(200)
    contact(recent, 45)
    contact(recent, 10)
    new = case_entered(5)
    closed = case_entered(200, status=CaseFile.Status.CLOSED)
    contact(closed, 100)
    day = selectors.dashboard_for_user(user=advisor)
    gone_quiet = list(day["gone_quiet"])
    assert set(gone_quiet) == {quiet, never_seen}
    assert {c.pk: c.last_contact for c in gone_quiet} == {
        quiet.pk: today - datetime.timedelta(days=31),
        never_seen.pk: None,
    }
    assert recent not in gone_quiet and new not in gone_quiet


def test_dashboard_recent_changes_cover_the_organisation_of_the_last_days(
    advisor, colleague, other_advisor, settings
):
    settings.YOUTHTRACK_RECENT_DAYS = 14
    colleagues_case = CaseFileFactory(advisor=colleague)
    old = CaseFileFactory(advisor=advisor)
    _aged(old, 15)
    CaseFileFactory(
        owner_organisation=other_advisor.organisation, advisor=other_advisor
    )
    mine = CaseFileFactory(advisor=advisor)
    day = selectors.dashboard_for_user(user=advisor)
    assert list(day["recently_changed"]) == [mine, colleagues_case]


@pytest.mark.parametrize("role", ["partner", "administrator"])
def test_dashboard_of_a_role_without_case_files_is_empty(role, user_for, case_file):
    user = user_for(role)
    day = selectors.dashboard_for_user(user=user)
    assert day["my_open_count"] == 0
    for key in ("my_open_cases", "gone_quiet", "recently_changed"):
        assert list(day[key]) == [], key
    for key in ("follow_ups_today", "follow_ups_overdue", "follow_ups_coming"):
        assert day[key].rows == [], key
