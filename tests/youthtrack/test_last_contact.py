"""The last contact kept on the case file (``CaseFile.last_contact_on``), which the
dashboard reads instead of aggregating notes, and the bounded dashboard."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from tests.factories import CaseFileFactory, NoteFactory
from tests.factories import reference as ref
from youthtrack import selectors, services
from youthtrack.models import CaseFile, Note

from .sharing_helpers import make_note, share_case

V = Note.Visibility
DAY = datetime.timedelta(days=1)


def last_contact(case_file: CaseFile) -> datetime.date | None:
    return CaseFile.objects.get(pk=case_file.pk).last_contact_on


def write(case_file, author, days_ago, visibility=V.ORGANISATION, today=None):
    return services.note_create(
        case_file=case_file,
        acting_user=author,
        data={
            "contact_date": today - days_ago * DAY,
            "channel": ref.channel("in_person"),
            "topic": "Entretien",
            "text": "Suivi",
            "visibility": visibility,
        },
    )


def edit(note, author, **data):
    fields = {
        name: getattr(note, name)
        for name in ("contact_date", "channel", "topic", "text", "visibility")
    }
    return services.note_update(
        note=note,
        acting_user=author,
        data={**fields, **data},
        expected_version=note.version,
    )


def test_a_note_written_or_redated_moves_the_last_contact(case_file, advisor, today):
    assert last_contact(case_file) is None
    older = write(case_file, advisor, 20, today=today)
    assert last_contact(case_file) == today - 20 * DAY
    newer = write(case_file, advisor, 5, today=today)
    assert last_contact(case_file) == today - 5 * DAY
    # Redating the latest contact earlier gives the next one back.
    edit(newer, advisor, contact_date=today - 30 * DAY)
    assert last_contact(case_file) == today - 20 * DAY
    # A note made private is no longer the organisation's contact.
    edit(Note.objects.get(pk=older.pk), advisor, visibility=V.PRIVATE)
    assert last_contact(case_file) == today - 30 * DAY


def test_private_notes_and_a_partners_internal_notes_are_not_the_last_contact(
    case_file, advisor, colleague, partner, today
):
    write(case_file, advisor, 40, today=today)
    share_case(case_file, owner=advisor, partner_user=partner, scope="notes")
    make_note(case_file, partner, V.ORGANISATION, "Note interne", "Interne")
    write(case_file, colleague, 2, visibility=V.PRIVATE, today=today)
    assert last_contact(case_file) == today - 40 * DAY
    # A partner's shared note is the owner's to read: it counts.
    make_note(case_file, partner, V.SHARED, "Note partagée", "Partagé")
    assert last_contact(case_file) == today


def test_a_case_file_edit_keeps_a_contact_written_meanwhile(
    case_file, advisor, colleague, today
):
    opened = CaseFile.objects.get(pk=case_file.pk)  # the form is opened
    write(case_file, colleague, 3, today=today)
    services.case_file_update(
        case_file=opened,
        acting_user=advisor,
        data={"next_follow_up_on": today + 7 * DAY},
        expected_version=opened.version,
    )
    assert last_contact(case_file) == today - 3 * DAY


def test_the_migration_backfills_the_last_contact(case_file, advisor, today):
    NoteFactory(case_file=case_file, contact_date=today - 9 * DAY)
    NoteFactory(case_file=case_file, contact_date=today - 2 * DAY, visibility="private")
    untouched = CaseFileFactory(advisor=advisor)
    CaseFile.objects.update(last_contact_on=None)
    migration = importlib.import_module(
        "youthtrack.migrations.0002_last_contact_and_dashboard_indexes"
    )
    migration.backfill_last_contact(apps, None)
    assert last_contact(case_file) == today - 9 * DAY
    assert last_contact(untouched) is None


@pytest.fixture
def busy(advisor, today):
    """Five open files (one closed) of the advisor, none contacted for 40 days."""
    files = CaseFileFactory.create_batch(
        5,
        advisor=advisor,
        active=True,
        entry_date=today - 100 * DAY,
        next_follow_up_on=today,
    )
    CaseFileFactory(advisor=advisor, closed=True)
    return files


def test_dashboard_counts_are_bounded_and_lists_say_there_is_more(
    busy, advisor, client_as, monkeypatch
):
    monkeypatch.setattr(selectors, "DASHBOARD_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "DASHBOARD_ROWS", 2)
    monkeypatch.setattr(selectors, "DASHBOARD_FOLLOW_UP_ROWS", 2)
    day = selectors.dashboard_for_user(user=advisor)
    assert day["my_open_count"] == 4  # one more than the limit: "more than 3"
    assert len(day["follow_ups_today"].rows) == 2
    assert day["follow_ups_today"].more
    assert len(day["gone_quiet"]) == 2
    page = client_as("advisor").get(reverse("dashboard")).content.decode()
    assert "My open case files (more than 3)" in page
    assert "See all follow-ups due today" in page
    assert "The 2 case files without contact for the longest." in page


def test_dashboard_counts_are_exact_below_the_bound(busy, advisor, client_as):
    page = client_as("advisor").get(reverse("dashboard")).content.decode()
    assert "My open case files (5)" in page
    assert "See all my open case files by next follow-up" not in page


def test_gone_quiet_lists_the_longest_silence_first(advisor, today):
    def case_contacted(days_ago):
        case = CaseFileFactory(
            advisor=advisor, active=True, entry_date=today - 300 * DAY
        )
        NoteFactory(case_file=case, contact_date=today - days_ago * DAY)
        return case

    mid, oldest, recent = case_contacted(60), case_contacted(200), case_contacted(35)
    never = CaseFileFactory(advisor=advisor, active=True, entry_date=today - 90 * DAY)
    day = selectors.dashboard_for_user(user=advisor)
    assert list(day["gone_quiet"]) == [oldest, mid, recent, never]


def _bulk_open_files(count: int, advisor, today) -> None:
    """``count`` open files of the advisor, a third of them contacted 40 days ago."""
    from youthtrack.models import YoungPerson, normalise_name

    people = YoungPerson.objects.bulk_create(
        YoungPerson(
            first_name=f"Prénom{n}",
            last_name=f"Famille{n}",
            name_key=normalise_name(f"Famille{n}", f"Prénom{n}"),
            birth_date=today.replace(year=today.year - 20),
            gender=ref.gender("female"),
            commune=ref.commune("21015"),
            created_by_organisation=advisor.organisation,
        )
        for n in range(count)
    )
    CaseFile.objects.bulk_create(
        CaseFile(
            young_person=person,
            programme=ref.programme("youth-cdm"),
            owner_organisation=advisor.organisation,
            advisor=advisor,
            status=CaseFile.Status.ACTIVE,
            entry_date=today - 100 * DAY,
            next_follow_up_on=today + (n % 30) * DAY,
            last_contact_on=today - 40 * DAY if n % 3 == 0 else today,
            employment_status=CaseFile.EmploymentStatus.UNEMPLOYED,
            highest_diploma=ref.diploma("cess"),
            created_by=advisor,
        )
        for n, person in enumerate(people)
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plan of the dashboard"
)
def test_postgresql_reads_a_busy_caseload_by_its_indexes(advisor, colleague, today):
    """With 3,000 open files, the dashboard's lists are read in the order of the
    partial indexes and stopped after a page, and the count stops at its bound: no
    plan scans the case file table or sorts the whole caseload."""
    _bulk_open_files(3000, advisor, today)
    day = selectors.dashboard_for_user(user=advisor)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        follow_ups = selectors.follow_up_lists(
            selectors.my_open_case_files(advisor),
            today=today,
            due_by=today + 7 * DAY,
        )
        for key, index, rows in (
            *(
                (key, "casefile_open_by_follow_up", listed[:9])
                for key, listed in follow_ups.items()
            ),
            ("gone_quiet", "casefile_open_by_contact", day["gone_quiet"]),
        ):
            sql, params = rows.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, (key, plan)
            assert "Seq Scan on youthtrack_casefile" not in plan, (key, plan)
    assert day["my_open_count"] == selectors.DASHBOARD_COUNT_LIMIT + 1
