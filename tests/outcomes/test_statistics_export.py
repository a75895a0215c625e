"""Pseudonymised statistics: no name, contact detail or birth date in the file, one
pseudonym per person within an export and never the same across exports, small cells
coarsened then left out; for leads (their programmes) and data protection officers
(their organisation's files); audited."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from outcomes.statistics import selectors
from tests.factories import CaseFileFactory, UserFactory
from tests.factories import reference as ref
from tests.youthtrack.conftest import sign_in
from youthtrack.models import AuditEvent, Organisation

from .records_helpers import days, today

pytestmark = pytest.mark.django_db


def participation(gender, commune, age, *, person=None, entry_days_ago=30, **extra):
    entry = today() - days(entry_days_ago)
    birth = entry.replace(year=entry.year - age) - days(10)
    if person is not None:
        extra["young_person"] = person
    else:
        extra.update(
            young_person__gender=ref.gender(gender),
            young_person__commune=ref.commune(commune),
            young_person__birth_date=birth,
        )
    return CaseFileFactory(
        active=True,
        programme=ref.programme("touchngo"),
        entry_date=entry,
        **extra,
    )


@pytest.fixture
def files():
    """Five women of 18-24 in Anderlecht (a cell kept as it is); three in Auderghem
    and two in Berchem (small cells, five together in the region); one man of 26 in
    Etterbeek (alone even with any age: left out). The first woman came twice."""
    anderlecht = [participation("female", "21001", 20) for _ in range(5)]
    again = participation(
        "female", "21001", 20, person=anderlecht[0].young_person, entry_days_ago=200
    )
    region = [participation("female", "21002", 21) for _ in range(3)]
    region += [participation("female", "21003", 22) for _ in range(2)]
    alone = participation("male", "21004", 26)
    return {"anderlecht": [*anderlecht, again], "region": region, "alone": alone}


@pytest.fixture
def client(client):
    """In English (the interface defaults to French)."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def lead():
    user = UserFactory(username="nadia", lead=True)
    user.programmes_led.add(ref.programme("touchngo"))
    return user


def export(client, fmt="csv", **data):
    programme = ref.programme("touchngo")
    return client.post(
        reverse("outcomes:statistics_export"),
        {"programme": programme.pk, "format": fmt, **data},
    )


def csv_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def personal_strings(case_files) -> list[str]:
    strings = []
    for case in case_files:
        person = case.young_person
        strings += [person.first_name, person.last_name, person.phone, person.email]
        strings += [
            person.birth_date.isoformat(),
            person.birth_date.strftime("%d/%m/%Y"),
            person.birth_date.strftime("%d-%m-%Y"),
        ]
    return [s for s in strings if s]


def all_files(files):
    return [*files["anderlecht"], *files["region"], files["alone"]]


def test_no_name_contact_or_birth_date_in_either_format(client, lead, files):
    sign_in(client, lead)
    for fmt in ("csv", "xlsx"):
        response = export(client, fmt)
        assert response.status_code == 200
        if fmt == "xlsx":
            workbook = openpyxl.load_workbook(io.BytesIO(response.content))
            text = "\n".join(
                str(cell)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
                if cell is not None
            )
            assert workbook.sheetnames == ["Participations", "About"]
        else:
            text = response.content.decode("utf-8-sig")
        for value in personal_strings(all_files(files)):
            assert value not in text, (fmt, value)
        assert "@" not in text
    rows = csv_rows(export(client))
    for column in rows[0]:
        assert not {"name", "phone", "mail", "birth"} & set(column.split("_"))
    for row in rows:
        assert len(row["pseudonym"]) == 16
        int(row["pseudonym"], 16)  # hexadecimal


def test_the_pseudonym_is_stable_within_an_export_and_new_in_the_next(
    client, lead, files
):
    sign_in(client, lead)
    first, second = csv_rows(export(client)), csv_rows(export(client))
    came_twice = files["anderlecht"][0].young_person

    def pseudonyms_in_anderlecht(rows):
        return {row["pseudonym"] for row in rows if row["area"] == "21001"}

    # Six participations of five people in Anderlecht: five pseudonyms.
    in_first = [row for row in first if row["area"] == "21001"]
    assert len(in_first) == 6 and len(pseudonyms_in_anderlecht(first)) == 5
    assert not pseudonyms_in_anderlecht(first) & pseudonyms_in_anderlecht(second)
    # The same key gives the same pseudonym; a person's number is not one.
    pseudonym = selectors.pseudonymiser(b"k" * 32)
    assert pseudonym(came_twice.pk) == pseudonym(came_twice.pk) != str(came_twice.pk)
    assert selectors.pseudonymiser()(came_twice.pk) != pseudonym(came_twice.pk)


def test_small_cells_are_coarsened_then_left_out(client, lead, files):
    sign_in(client, lead)
    rows = csv_rows(export(client))
    kept = [row for row in rows if row["area"] == "21001"]
    assert {row["coarsened"] for row in kept} == {""}
    assert {row["age_band"] for row in kept} == {"18-24"}
    region = [row for row in rows if row["area"] == "region:brussels"]
    assert len(region) == 5
    assert {(row["coarsened"], row["age_band"]) for row in region} == {
        ("area", "18-24")
    }
    # No commune of a small cell is given, and the man alone is left out.
    assert not {"21002", "21003", "21004"} & {row["area"] for row in rows}
    assert "male" not in {row["gender"] for row in rows}
    assert len(rows) == 11
    workbook = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx").content))
    about = {
        row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True) if row
    }
    assert about["Rows left out"] == 1
    assert about["Rows with the commune replaced by the region"] == 6


def test_an_age_band_is_dropped_before_the_rows(lead):
    """Three men of 20 and two of 26 in Ixelles: each band is small, the men of
    Brussels of any age are five: kept with the age band replaced."""
    for age in (20, 20, 20, 26, 26):
        participation("male", "21009", age)
    export = selectors.statistics_export(user=lead, programme=ref.programme("touchngo"))
    assert {(row["area"], row["age_band"]) for row in export.rows} == {
        ("region:brussels", "*")
    }
    assert export.dropped_rows == 0 and export.coarsened_age == 5


def test_the_period_limits_the_participations(client, lead, files):
    sign_in(client, lead)
    start = (today() - days(60)).isoformat()
    rows = csv_rows(export(client, date_from=start))
    assert len(rows) == 10  # the earlier participation of the first woman left out
    refused = export(client, date_from=start, date_to="2000-01-01")
    assert refused.status_code == 200
    assert "The end comes before the start." in refused.content.decode()


def test_the_export_is_audited(client, lead, files):
    sign_in(client, lead)
    export(client, "xlsx")
    event = AuditEvent.objects.get(actor=lead, action=AuditEvent.Action.EXPORT)
    assert event.changes["export"] == [None, "pseudonymised statistics"]
    assert event.changes["rows"] == [None, 11]
    assert event.case_file is None


def test_a_lead_exports_only_the_programmes_they_lead(client, files):
    other_lead = UserFactory(username="other.lead", lead=True)
    other_lead.programmes_led.add(ref.programme("youth-cdm"))
    sign_in(client, other_lead)
    response = export(client)
    assert response.status_code == 200  # the form again: not a choice offered
    assert response.context["form"].errors["programme"]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_data_protection_officer_exports_their_organisations_files(client, files):
    actiris = Organisation.objects.get(code="actiris")
    elsewhere = participation(
        "female", "21001", 20, owner_organisation=actiris, entry_days_ago=10
    )
    programme = ref.programme("touchngo")
    lead = UserFactory(username="nadia", lead=True)
    lead.programmes_led.add(programme)
    led = selectors.statistics_export(user=lead, programme=programme)
    assert led.participations == 13  # every organisation's files of the programme
    dpo = UserFactory(username="marie", dpo=True)
    sign_in(client, dpo)
    assert client.get(reverse("outcomes:statistics_export")).status_code == 200
    rows = csv_rows(export(client))
    # Actiris's participation is not the CDM officer's to export.
    assert len(rows) == 11
    assert elsewhere.young_person_id not in {
        f.young_person_id for f in all_files(files)
    }


@pytest.mark.parametrize(
    "traits",
    [{}, {"partner": True}, {"admin": True}, {"lead": True}],
    ids=["advisor", "partner", "administrator", "lead of no programme"],
)
def test_nobody_else_exports(client, traits, files):
    sign_in(client, UserFactory(username="someone", **traits))
    page = client.get(reverse("outcomes:statistics_export"))
    if traits.get("lead"):
        # A lead has the page, with no programme to choose.
        assert list(page.context["form"].fields["programme"].queryset) == []
        assert export(client).context["form"].errors["programme"]
    else:
        assert page.status_code == 403
        assert export(client).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_age_bands():
    assert [selectors.age_band(a) for a in (15, 17, 18, 24, 25, 29, 30)] == [
        "<18",
        "<18",
        "18-24",
        "18-24",
        "25-29",
        "25-29",
        "30+",
    ]
