"""A project lead merges two records of the same young person: everything on the
record not kept (its case files with notes, consents, shares, enrolments, attendance,
outcomes, audit rows and read log; an import's reference) moves to the record kept,
counted before and after; the other record is archived, pointing to the one kept;
the merge is audited without personal values; nobody else may merge."""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from outcomes.models import ImportReference, Outcome
from tests.factories import (
    AttendanceFactory,
    CaseFileFactory,
    CohortFactory,
    ConsentFactory,
    EnrolmentFactory,
    NoteFactory,
    SessionFactory,
    UserFactory,
    reference,
)
from youthtrack import services
from youthtrack.duplicates import intake_duplicates
from youthtrack.models import AuditEvent, CaseFile, YoungPerson

from .helpers import page_text
from .sharing_helpers import share_case

BORN = datetime.date(2003, 5, 4)


@pytest.fixture
def merging_lead(cdm):
    """The CDM's lead of Youth@CDM."""
    lead = UserFactory(
        username="youssef", first_name="Youssef", last_name="Haddad", lead=True
    )
    lead.programmes_led.add(reference.programme("youth-cdm"))
    return lead


@pytest.fixture
def records(advisor, colleague, partner):
    """Inès Benali registered twice at the CDM: "kept" (Youth@CDM) and "duplicate"
    (a Touch'N'Go file with everything on it, and a closed Uppercut file)."""
    kept_file = CaseFileFactory(
        active=True,
        advisor=advisor,
        programme=reference.programme("youth-cdm"),
        young_person__first_name="Inès",
        young_person__last_name="Benali",
        young_person__birth_date=BORN,
        young_person__phone="",
        young_person__email="ines.benali@example.net",
    )
    NoteFactory(case_file=kept_file)
    duplicate_file = CaseFileFactory(
        active=True,
        advisor=colleague,
        programme=reference.programme("touchngo"),
        young_person__first_name="Benali",
        young_person__last_name="Ines",
        young_person__birth_date=datetime.date(2003, 4, 5),
        young_person__phone="0485 11 22 33",
        young_person__email="",
    )
    duplicate = duplicate_file.young_person
    closed_file = CaseFileFactory(
        closed=True,
        advisor=colleague,
        programme=reference.programme("uppercut"),
        young_person=duplicate,
    )
    for case in (duplicate_file, closed_file):
        NoteFactory(case_file=case)
        NoteFactory(case_file=case, author=colleague)
        ConsentFactory(case_file=case)
    share_case(duplicate_file, owner=colleague, partner_user=partner)
    cohort = CohortFactory(programme=reference.programme("uppercut"))
    EnrolmentFactory(cohort=cohort, case_file=closed_file)
    AttendanceFactory(session=SessionFactory(cohort=cohort), case_file=closed_file)
    Outcome.objects.create(
        case_file=closed_file,
        kind="job_search",
        start_date=timezone.localdate() - datetime.timedelta(days=3),
        source=Outcome.Source.YOUNG_PERSON,
        recorded_by=colleague,
    )
    services.case_file_record_view(case_file=duplicate_file, acting_user=advisor)
    ImportReference.objects.create(
        organisation=duplicate_file.owner_organisation,
        ref="CDM-2021-0042",
        young_person=duplicate,
    )
    return kept_file, duplicate_file


def _relations():
    return [
        relation
        for relation in CaseFile._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
    ]


def census(person: YoungPerson) -> dict[str, int]:
    """How many rows of each kind hang on the person's case files (and on them)."""
    files = CaseFile.objects.filter(young_person=person)
    counts = {"case files": files.count()}
    for relation in _relations():
        model = relation.related_model
        counts[model._meta.label] = model._base_manager.filter(
            **{f"{relation.field.name}__in": files}
        ).count()
    counts["reads"] = AuditEvent.objects.filter(
        case_file__in=files, action=AuditEvent.Action.VIEW
    ).count()
    counts["import references"] = ImportReference.objects.filter(
        young_person=person
    ).count()
    return counts


def table_sizes() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for app in ("youthtrack", "programmes", "outcomes")
        for model in apps.get_app_config(app).get_models()
    }


def test_a_merge_moves_everything_and_loses_nothing(
    client_as, records, merging_lead, english
):
    kept_file, duplicate_file = records
    kept, duplicate = kept_file.young_person, duplicate_file.young_person
    before_kept, before_duplicate = census(kept), census(duplicate)
    # The fixture put some of everything on the duplicate.
    for kind in (
        "case files",
        "youthtrack.Note",
        "youthtrack.Consent",
        "youthtrack.Share",
        "programmes.Enrolment",
        "programmes.Attendance",
        "outcomes.Outcome",
        "youthtrack.AuditEvent",
        "reads",
        "import references",
    ):
        assert before_duplicate[kind] > 0, kind
    sizes = table_sizes()
    client = client_as("merging_lead")
    response = client.post(
        reverse("person_merge", args=[duplicate_file.pk]),
        {"with": kept.pk, "keep": kept.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[duplicate_file.pk])
    after_kept, after_duplicate = census(kept), census(duplicate)
    merge_rows = before_duplicate["case files"] + 2  # a row per file moved, 2 people
    for kind, count in before_kept.items():
        expected = count + before_duplicate[kind]
        if kind == "youthtrack.AuditEvent":
            expected += before_duplicate["case files"]  # the moved files' merge rows
        assert after_kept[kind] == expected, kind
        assert after_duplicate[kind] == 0, kind
    # Nothing deleted anywhere: the same rows, plus the merge's audit rows.
    after_sizes = table_sizes()
    assert after_sizes.pop("youthtrack.AuditEvent") == (
        sizes.pop("youthtrack.AuditEvent") + merge_rows
    )
    assert after_sizes == sizes
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.merged_into == kept
    assert duplicate.merged_at is not None
    # The contact details missing on the record kept come from the other one.
    assert kept.phone == "0485 11 22 33"
    assert kept.email == "ines.benali@example.net"
    assert "The two records are merged" in page_text(client.get(response["Location"]))


def test_the_merge_is_audited_without_personal_values(client_as, records, english):
    kept_file, duplicate_file = records
    kept, duplicate = kept_file.young_person, duplicate_file.young_person
    client_as("merging_lead").post(
        reverse("person_merge", args=[kept_file.pk]),
        {"with": duplicate.pk, "keep": kept.pk},
    )
    events = AuditEvent.objects.filter(action=AuditEvent.Action.MERGE)
    assert {(e.object_type, e.object_id) for e in events} == {
        ("youthtrack.youngperson", kept.pk),
        ("youthtrack.youngperson", duplicate.pk),
        *(
            ("youthtrack.casefile", pk)
            for pk in CaseFile.objects.filter(young_person=kept)
            .exclude(pk=kept_file.pk)
            .values_list("pk", flat=True)
        ),
    }
    written = " ".join(str(event.changes) for event in events)
    for value in ("Benali", "Ines", "Inès", "0485", "example.net", "2003"):
        assert value not in written
    person_row = events.get(object_id=kept.pk, object_type="youthtrack.youngperson")
    assert person_row.changes["merged_person"] == [None, duplicate.pk]
    assert person_row.changes["filled_in"] == [None, ["phone"]]
    # The trail lists the merge as such.
    trail = client_as("administrator").get(reverse("audit_log"))
    assert trail.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", trail.content.decode(), re.DOTALL)
    merged_rows = [row for row in rows if "<td>Merged</td>" in row]
    assert len(merged_rows) == events.count()


def test_the_merged_record_is_no_longer_offered_nor_linkable(
    client_as, records, advisor
):
    kept_file, duplicate_file = records
    kept, duplicate = kept_file.young_person, duplicate_file.young_person
    client_as("merging_lead").post(
        reverse("person_merge", args=[kept_file.pk]),
        {"with": duplicate.pk, "keep": kept.pk},
    )
    matches = intake_duplicates(
        user=advisor, first_name="Ines", last_name="Benali", birth_date=BORN
    )
    assert [match.person for match in matches] == [kept]
    response = client_as("advisor").get(reverse("intake"), {"person": duplicate.pk})
    assert response.status_code == 404


def test_the_pages_offer_the_duplicate_and_say_what_will_move(
    client_as, records, merging_lead, english
):
    kept_file, duplicate_file = records
    duplicate = duplicate_file.young_person
    client = client_as("merging_lead")
    case_page = page_text(client.get(reverse("case_detail", args=[kept_file.pk])))
    assert reverse("person_merge", args=[kept_file.pk]) in case_page
    url = reverse("person_merge", args=[kept_file.pk])
    listing = page_text(client.get(url))
    assert f"?with={duplicate.pk}" in listing
    assert "Date of birth with day and month swapped" in listing
    sizes = table_sizes()
    census_of_duplicate = census(duplicate)
    confirm = page_text(client.get(url, {"with": duplicate.pk}))
    assert "Record to keep" in confirm
    assert f"Case files: {census_of_duplicate['case files']}" in confirm
    assert f"Follow-up notes: {census_of_duplicate['youthtrack.Note']}" in confirm
    assert f"Entries of the read log: {census_of_duplicate['reads']}" in confirm
    assert f"Outcomes: {census_of_duplicate['outcomes.Outcome']}" in confirm
    # The same page reached by typing the other record's case file number.
    by_number = page_text(client.get(url, {"file": f"#{duplicate_file.pk}"}))
    assert f'name="with" value="{duplicate.pk}"' in by_number
    # Looking changes nothing but the read log: both people's details were read.
    after = table_sizes()
    assert after.pop("youthtrack.AuditEvent") > sizes.pop("youthtrack.AuditEvent")
    assert after == sizes
    assert AuditEvent.objects.filter(
        object_type="youthtrack.youngperson",
        object_id=duplicate.pk,
        action=AuditEvent.Action.VIEW,
        actor__username="youssef",
    ).exists()


@pytest.mark.parametrize("who", ["advisor", "colleague", "lead", "other_advisor"])
def test_only_a_lead_of_the_owning_organisation_merges(
    client_as, records, who, merging_lead
):
    """An advisor of the files' organisation: 403; a CDM lead who leads none of the
    files' programmes: 403; another organisation: 404. Nothing changes."""
    kept_file, duplicate_file = records
    kept, duplicate = kept_file.young_person, duplicate_file.young_person
    client = client_as(who)
    client.raise_request_exception = False
    sizes = table_sizes()
    url = reverse("person_merge", args=[kept_file.pk])
    posted = client.post(url, {"with": duplicate.pk, "keep": kept.pk})
    expected = 404 if who == "other_advisor" else 403
    assert posted.status_code == expected
    assert client.get(url, {"with": duplicate.pk}).status_code == expected
    assert table_sizes() == sizes
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_a_person_with_a_file_of_another_organisation_is_not_merged(
    client_as, records, other_advisor
):
    kept_file, duplicate_file = records
    duplicate = duplicate_file.young_person
    CaseFileFactory(
        young_person=duplicate,
        owner_organisation=other_advisor.organisation,
        advisor=other_advisor,
    )
    client = client_as("merging_lead")
    client.raise_request_exception = False
    url = reverse("person_merge", args=[kept_file.pk])
    posted = client.post(url, {"with": duplicate.pk, "keep": kept_file.young_person.pk})
    assert posted.status_code == 404
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
