"""The right of access: the data protection officer exports everything the
organisation holds about a young person (PDF and JSON, in the language chosen),
withholding the advisors' own notes; the export is audited without a personal
value; nobody else reaches it."""

import json

import pytest
from django.apps import apps
from django.urls import reverse

from outcomes.models import FollowUp, Outcome
from outcomes.records import services as record_services
from outcomes.subject_access import selectors
from tests.factories import CaseFileFactory, UserFactory
from tests.factories import reference as ref
from tests.pdf import pdf_first_page_png, pdf_text
from tests.youthtrack.conftest import sign_in
from tests.youthtrack.sharing_helpers import (
    make_note,
    make_user,
    record_sharing_consent,
    share_case,
    signed_in,
)
from youthtrack.models import AuditEvent, CaseFile, Note, YoungPerson

from .records_helpers import days, today

pytestmark = pytest.mark.django_db

PRIVATE_TEXT = "Sa tante m'a confié des dettes de jeu du père."


@pytest.fixture
def world(client):
    advisor = make_user("sarah", org_code="cdm")
    partner = make_user("lotte", org_code="actiris", role="partner")
    closed = CaseFileFactory(
        active=True,
        owner_organisation=advisor.organisation,
        advisor=advisor,
        programme=ref.programme("touchngo"),
        entry_date=today() - days(300),
        young_person__first_name="Anaïs",
        young_person__last_name="Verhaegen",
        young_person__phone="0470 11 22 33",
        young_person__email="anais.verhaegen@example.net",
        young_person__age=21,
    )
    person = closed.young_person
    current = CaseFileFactory(
        active=True,
        owner_organisation=advisor.organisation,
        advisor=advisor,
        programme=ref.programme("youth-cdm"),
        young_person=person,
        entry_date=today() - days(20),
    )
    make_note(
        closed, advisor, Note.Visibility.ORGANISATION, "Bilan d'entrée.", "Accueil"
    )
    make_note(
        current, advisor, Note.Visibility.SHARED, "CV relu ensemble.", "Atelier CV"
    )
    make_note(closed, advisor, Note.Visibility.PRIVATE, PRIVATE_TEXT, "Confidences")
    record_sharing_consent(current, advisor, partner.organisation)
    share_case(current, owner=advisor, partner_user=partner, consent=False)
    # The partner reads the shared file: a read of Actiris in the access log.
    assert (
        signed_in(partner).get(reverse("case_detail", args=[current.pk])).status_code
        == 200
    )
    record_services.participation_exit(
        case_file=closed,
        acting_user=advisor,
        exit_date=today() - days(100),
        exit_reason=CaseFile.ExitReason.COMPLETED,
        comment="",
        expected_version=CaseFile.objects.get(pk=closed.pk).version,
        outcome_data={
            "kind": Outcome.Kind.JOB,
            "organisation_name": "Boulangerie Dupont",
            "contract_kind": Outcome.ContractKind.FIXED_TERM,
            "weekly_hours": 38,
            "source": Outcome.Source.EMPLOYER,
            "verification_note": "Contrat vu",
            "start_date": today() - days(99),
        },
    )
    dpo = UserFactory(username="marie", dpo=True, organisation=advisor.organisation)
    sign_in(client, dpo)
    return {
        "client": client,
        "person": person,
        "files": [closed, current],
        "dpo": dpo,
        "advisor": advisor,
        "partner": partner,
    }


def export(client, person, **data):
    return client.post(
        reverse("outcomes:subject_access_export", args=[person.pk]),
        {"language": "fr", "format": "json", **data},
    )


def test_every_category_is_in_the_json(world):
    response = export(world["client"], world["person"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Verhaegen" not in response["Content-Disposition"]
    data = json.loads(response.content)
    closed, current = world["files"]

    identity = data["identity"]["records"][0]
    assert identity["last_name"] == "Verhaegen"
    assert identity["phone"] == "0470 11 22 33"
    assert identity["email"] == "anais.verhaegen@example.net"
    assert identity["birth_date"] == world["person"].birth_date.isoformat()

    files = {record["number"]: record for record in data["case_files"]["records"]}
    assert set(files) == {closed.pk, current.pk}
    assert files[closed.pk]["status"] == "Clôturé"  # in French
    assert "employment_status" in files[current.pk]  # the situation at entry
    history = data["status_history"]["records"]
    assert {r["case_file"] for r in history} == {closed.pk, current.pk}

    topics = {note["topic"] for note in data["notes"]["records"]}
    assert topics == {"Accueil", "Atelier CV"}
    assert data["notes_withheld"]["count"] == 1
    assert PRIVATE_TEXT not in response.content.decode()
    assert "Confidences" not in response.content.decode()

    outcome = data["outcomes"]["records"][0]
    assert outcome["organisation_name"] == "Boulangerie Dupont"
    assert outcome["recorded_by"] == "CDM"  # staff named by their organisation
    follow_ups = data["follow_ups"]["records"]
    assert len(follow_ups) == FollowUp.objects.filter(case_file=closed).count() > 0

    assert [c["partner"] for c in data["consents"]["records"]] == ["Actiris"]
    share = data["shares"]["records"][0]
    assert share["partner"] == "Actiris" and share["case_file"] == current.pk

    reads = [
        r
        for r in data["access_log"]["records"]
        if r["organisation"] == "Actiris" and r["action"] == "Consultation"
    ]
    # The partner opened the shared file; a read of the person counts on both.
    assert {r["case_file"] for r in reads} == {closed.pk, current.pk}
    assert {r["date"] for r in reads} == {today().isoformat()}
    for key in data["titles"]:
        assert "records" in data[key] and "labels" in data[key]


def test_another_organisations_file_of_the_person_is_not_in_it(world):
    other = CaseFileFactory(
        active=True,
        owner_organisation=world["partner"].organisation,
        advisor=make_user("thomas", org_code="actiris"),
        programme=ref.programme("youth-cdm"),
        young_person=world["person"],
    )
    data = json.loads(export(world["client"], world["person"]).content)
    numbers = {record["number"] for record in data["case_files"]["records"]}
    assert other.pk not in numbers and len(numbers) == 2


def test_the_pdf_opens_and_names_the_person(world, tmp_path):
    response = export(world["client"], world["person"], format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Anaïs Verhaegen" in text
    assert "Boulangerie Dupont" in text
    assert "Données personnelles" in text  # the French title
    assert PRIVATE_TEXT not in text
    image = pdf_first_page_png(response.content, tmp_path / "page")
    assert image.stat().st_size > 10_000  # a page with text drawn, not a blank one


@pytest.mark.parametrize(
    ("language", "notes_title"),
    [("fr", "Notes de suivi"), ("nl", "Opvolgingsnota's")],
)
def test_labels_are_in_the_language_chosen(world, language, notes_title):
    data = json.loads(
        export(world["client"], world["person"], language=language).content
    )
    assert data["titles"]["notes"] == notes_title
    pdf = export(world["client"], world["person"], language=language, format="pdf")
    assert notes_title in pdf_text(pdf.content)


def test_the_export_is_audited_without_a_personal_value(world):
    export(world["client"], world["person"], format="pdf", language="nl")
    rows = AuditEvent.objects.filter(
        actor=world["dpo"], action=AuditEvent.Action.EXPORT
    )
    assert {row.case_file_id for row in rows} == {f.pk for f in world["files"]}
    for row in rows:
        assert row.changes["export"] == [None, "right of access"]
        assert row.changes["format"] == [None, "pdf nl"]
        assert "Verhaegen" not in json.dumps(row.changes)
        assert "Anaïs" not in json.dumps(row.changes)


@pytest.mark.parametrize("role", ["advisor", "partner", "lead"])
def test_nobody_else_reaches_it(world, client, role):
    user = {
        "advisor": world["advisor"],
        "partner": world["partner"],
        "lead": UserFactory(username="nadia", lead=True),
    }[role]
    other = signed_in(user)
    response = export(other, world["person"])
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(
        actor=user, action=AuditEvent.Action.EXPORT
    ).exists()


def test_a_get_or_a_bad_choice_exports_nothing(world):
    url = reverse("outcomes:subject_access_export", args=[world["person"].pk])
    assert world["client"].get(url).status_code == 405
    response = export(world["client"], world["person"], language="de", format="exe")
    assert response.status_code == 302
    assert response["Location"] == reverse("dpo_person", args=[world["person"].pk])
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_person_page_offers_the_export_in_the_persons_language(world):
    person = world["person"]
    page = world["client"].get(reverse("dpo_person", args=[person.pk]))
    form = page.content.decode()
    assert reverse("outcomes:subject_access_export", args=[person.pk]) in form
    YoungPerson.objects.filter(pk=person.pk).update(
        speaks_dutch=True, speaks_french=False
    )
    page = world["client"].get(reverse("dpo_person", args=[person.pk]))
    assert '<option value="nl" selected>' in page.content.decode()


def test_every_model_about_a_file_or_a_person_is_in_the_export():
    """A model added later that points to a case file or a young person must be
    exported (a section) or say why not."""
    covered = {section.model for section in selectors.SECTIONS} | {YoungPerson}
    for model in apps.get_models():
        label = model._meta.label_lower
        points_to_person = any(
            field.is_relation and field.related_model in (CaseFile, YoungPerson)
            for field in model._meta.concrete_fields
        )
        if points_to_person and label not in selectors.NOT_SECTIONS:
            assert model in covered, f"{label} is not in the right of access"


def test_every_exported_field_has_a_translated_label():
    """A column without a verbose name would be printed in English."""
    for model in [YoungPerson, *(section.model for section in selectors.SECTIONS)]:
        for field in selectors.exported_fields(model):
            label = selectors.field_label(field)
            assert label is not None, f"{model._meta.label}.{field.name}: no label"
