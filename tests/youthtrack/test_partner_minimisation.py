"""Data minimisation for partners: a partner reads of a case file shared with their
organisation only the fields its sharing's scope lists, and of the sensitive answers
at entry (disability, foreign background, minority, housing) only those the consent
behind the sharing names; on the case page and in the case's CSV export alike. The
owner organisation reads everything."""

import csv
import io

import pytest
from django.urls import reverse

from youthtrack import services
from youthtrack.forms import sensitive_answer_choices
from youthtrack.models import CaseFile, Consent, Share, User, YoungPerson
from youthtrack.personal_data import (
    PARTNER_SCOPE_FIELDS,
    Category,
    fields_of_category,
)

from .sharing_helpers import (
    body,
    give_override_permission,
    make_case,
    make_user,
    org,
    record_sharing_consent,
    signed_in,
    today,
)

SENSITIVE_LABELS = {
    "disability": "Disability",
    "foreign_background": "Foreign or migrant background",
    "minority": "Minority",
    "homeless": "Homelessness",
}
REFERRER = "Dr Lemaire du CPAS"


@pytest.fixture
def owner(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def partner(db) -> User:
    return make_user("lotte", org_code="actiris", role=User.Role.PARTNER)


@pytest.fixture
def case(owner) -> CaseFile:
    case_file = make_case(
        advisor=owner,
        first_name="Mélodie",
        last_name="Vandersmissen",
        phone="0470 12 34 56",
        email="melodie.vandersmissen@example.net",
    )
    CaseFile.objects.filter(pk=case_file.pk).update(
        disability="yes",
        foreign_background="yes",
        minority="yes",
        homeless="yes",
        referral=CaseFile.Referral.REFERRED,
        referred_by=REFERRER,
    )
    return CaseFile.objects.get(pk=case_file.pk)


def _share(case, owner, partner, *, scope=Share.Scope.VIEW, sensitive=()):
    record_sharing_consent(
        case, owner, partner.organisation, sensitive_data=list(sensitive)
    )
    share = services.case_file_share(
        case_file=case,
        acting_user=owner,
        partner=partner.organisation,
        purpose="Accompagnement vers l'emploi",
        scope=scope,
    )
    return services.share_accept(share=share, acting_user=partner)


def _page(user, case) -> str:
    response = signed_in(user).get(
        reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return body(response)


def _export(user, case) -> dict[str, str]:
    response = signed_in(user).get(
        reverse("case_export", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row[0]: row[1] for row in rows if len(row) == 2}


def _shown_on_page(page: str) -> set[str]:
    return {name for name, label in SENSITIVE_LABELS.items() if f">{label}<" in page}


def _shown_in_export(rows: dict[str, str]) -> set[str]:
    labels = {
        name: str(CaseFile._meta.get_field(name).verbose_name).capitalize()
        for name in SENSITIVE_LABELS
    }
    return {name for name, label in labels.items() if label in rows}


@pytest.mark.parametrize("scope", Share.Scope.values)
def test_without_a_consent_naming_them_a_partner_sees_no_sensitive_answer(
    owner, partner, case, scope
):
    _share(case, owner, partner, scope=scope)

    page = _page(partner, case)
    assert _shown_on_page(page) == set()
    assert "Not shared: the young person's consent" in page
    # Nor who referred them (a third party, named as the advisor typed it).
    assert REFERRER not in page
    # What the scope lists is there.
    assert "Vandersmissen" in page and "0470 12 34 56" in page
    assert ">Employment status<" in page

    rows = _export(partner, case)
    assert _shown_in_export(rows) == set()
    assert REFERRER not in rows.values()
    assert "Employment status at entry" in rows


def test_a_partner_sees_the_sensitive_answers_the_consent_names(owner, partner, case):
    _share(case, owner, partner, sensitive=["disability", "homeless"])

    page = _page(partner, case)
    assert _shown_on_page(page) == {"disability", "homeless"}
    assert "Not shared: the young person's consent" in page  # the other two

    assert _shown_in_export(_export(partner, case)) == {"disability", "homeless"}


def test_a_consent_naming_all_shows_all_and_says_nothing_is_withheld(
    owner, partner, case
):
    _share(case, owner, partner, sensitive=list(SENSITIVE_LABELS))
    page = _page(partner, case)
    assert _shown_on_page(page) == set(SENSITIVE_LABELS)
    assert "Not shared: the young person's consent" not in page


def test_a_sharing_without_consent_shows_no_sensitive_answer(owner, partner, case):
    give_override_permission(owner)
    owner = User.objects.get(pk=owner.pk)
    share = services.case_file_share(
        case_file=case,
        acting_user=owner,
        partner=partner.organisation,
        purpose="Urgence",
        scope=Share.Scope.VIEW,
        override_reason="Expulsion imminente",
    )
    services.share_accept(share=share, acting_user=partner)
    assert _shown_on_page(_page(partner, case)) == set()
    assert _shown_in_export(_export(partner, case)) == set()


def test_the_owner_reads_every_answer(owner, partner, case):
    _share(case, owner, partner)
    page = _page(owner, case)
    assert _shown_on_page(page) == set(SENSITIVE_LABELS)
    assert REFERRER in page
    assert "Not shared: the young person's consent" not in page
    rows = _export(owner, case)
    assert _shown_in_export(rows) == set(SENSITIVE_LABELS)
    assert rows["Referred by"] == REFERRER


def test_a_withdrawn_consent_ends_what_it_named(owner, partner, case):
    share = _share(case, owner, partner, sensitive=["disability"])
    assert _shown_on_page(_page(partner, case)) == {"disability"}
    services.consent_withdraw(
        consent=share.consent, acting_user=owner, withdrawn_on=today()
    )
    # The sharing ends with its consent: the partner no longer opens the file.
    response = signed_in(partner).get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 404


# --- the consent names them ---


def test_the_consent_form_records_the_sensitive_answers_named(owner, case):
    client = signed_in(owner)
    response = client.post(
        reverse("consent_create", args=[case.pk]),
        {
            "purpose": Consent.Purpose.SHARING,
            "partner": org("actiris").pk,
            "sensitive_data": ["disability", "minority"],
            "given_by": Consent.GivenBy.YOUNG_PERSON,
            "given_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Consent.objects.get(case_file=case).sensitive_data == [
        "disability",
        "minority",
    ]


def test_only_a_sharing_consent_names_sensitive_answers(owner, case):
    client = signed_in(owner)
    response = client.post(
        reverse("consent_create", args=[case.pk]),
        {
            "purpose": Consent.Purpose.DATA_PROCESSING,
            "sensitive_data": ["disability"],
            "given_by": Consent.GivenBy.YOUNG_PERSON,
            "given_on": today().isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sensitive_data"] == [
        "Only a consent to sharing with a partner names sensitive answers."
    ]
    assert not Consent.objects.filter(case_file=case).exists()


def test_an_unknown_sensitive_answer_is_refused(owner, case):
    response = signed_in(owner).post(
        reverse("consent_create", args=[case.pk]),
        {
            "purpose": Consent.Purpose.SHARING,
            "partner": org("actiris").pk,
            "sensitive_data": ["religion"],
            "given_by": Consent.GivenBy.YOUNG_PERSON,
            "given_on": today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sensitive_data"]
    assert not Consent.objects.filter(case_file=case).exists()


# --- defined once ---


def test_the_choices_are_the_classifications_sensitive_answers():
    assert {name for name, _label in sensitive_answer_choices()} == (
        fields_of_category(CaseFile, Category.SENSITIVE)
    )


def test_each_scope_lists_existing_fields_of_the_person_and_the_file():
    assert set(PARTNER_SCOPE_FIELDS) == set(Share.Scope.values)
    for listed in PARTNER_SCOPE_FIELDS.values():
        assert set(listed) == {"youthtrack.youngperson", "youthtrack.casefile"}
        for model in (YoungPerson, CaseFile):
            names = {f.name for f in model._meta.get_fields()}
            assert listed[model._meta.label_lower] <= names


def test_the_owner_reads_what_each_sharing_consent_names(owner, partner, case):
    record_sharing_consent(
        case, owner, partner.organisation, sensitive_data=["homeless"]
    )
    record_sharing_consent(case, owner, org("vdab"))
    page = _page(owner, case)
    assert (
        "Sensitive answers the partner may see: "
        "Homeless or affected by housing exclusion"
    ) in page
    assert "Sensitive answers the partner may see: None" in page


def test_the_share_page_says_what_the_partner_sees_of_the_sensitive_answers(
    owner, case
):
    page = body(
        signed_in(owner).get(
            reverse("case_share", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    )
    assert "the partner sees only those the young person's consent" in page.replace(
        "&#x27;", "'"
    )
