"""Consent at intake (the consent to keep the file, from a parent or guardian under
16, the sharing consents offered with it; a file without one flagged on the
dashboard), confirmation pages for the destructive steps, and referrals both ways
(a partner's decline with its reason, told to the owner's advisor)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories.helpers import intake_post, years_ago
from youthtrack.models import CaseFile, Consent, Share, User, YoungPerson

from .sharing_helpers import (
    body,
    grants,
    make_case,
    make_user,
    org,
    record_sharing_consent,
    share_case,
    signed_in,
    today,
)


@pytest.fixture
def owner(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def partner(db) -> User:
    user = make_user("lotte", org_code="actiris", role=User.Role.PARTNER)
    user.first_name, user.last_name = "Lotte", "Peeters"
    user.save()
    return user


@pytest.fixture
def case(owner) -> CaseFile:
    return make_case(
        advisor=owner,
        first_name="Mélodie",
        last_name="Vandersmissen",
        phone="0470 12 34 56",
        email="melodie.vandersmissen@example.net",
    )


def _intake(client, *, age_years: int, consent: dict, advisor=None):
    birth_date = years_ago(age_years) - datetime.timedelta(days=30)
    return client.post(
        reverse("intake"),
        # Touch'N'Go (the default) takes young people of 15 to 29.
        intake_post(
            person={"birth_date": birth_date},
            case={"advisor": advisor},
            consent=consent,
        ),
    )


# --- consent at intake ---


def test_the_intake_asks_for_the_consent_and_records_it_with_the_file(owner):
    client = signed_in(owner)
    page = body(client.get(reverse("intake")))
    assert "Consentement à la conservation de ce dossier" in page
    response = _intake(
        client,
        age_years=17,
        consent={"keep": "given", "given_by": "self", "given_on": today()},
    )
    assert response.status_code == 302
    case_file = CaseFile.objects.get()
    (consent,) = case_file.consents.all()
    assert consent.purpose == Consent.Purpose.DATA_PROCESSING
    assert (consent.given_by, consent.given_on) == (
        Consent.GivenBy.YOUNG_PERSON,
        today(),
    )
    # Nothing to flag: the file has its consent.
    dashboard = body(client.get(reverse("dashboard")))
    assert "Dossiers sans consentement" not in dashboard
    assert "Aucun consentement à la conservation" not in body(
        client.get(reverse("case_detail", args=[case_file.pk]))
    )


def test_under_16_the_consent_must_come_from_a_named_parent_or_guardian(owner):
    client = signed_in(owner)
    refused = _intake(
        client,
        age_years=15,
        consent={"keep": "given", "given_by": "self", "given_on": today()},
    )
    assert refused.status_code == 200
    (error,) = refused.context["consent_form"].errors["given_by"]
    assert "moins de 16 ans à cette date" in error
    assert "parent ou tuteur" in error
    # Nothing was opened, and what was typed is kept.
    assert not YoungPerson.objects.exists() and not CaseFile.objects.exists()
    assert 'value="Dubois"' in body(refused)

    unnamed = _intake(
        client,
        age_years=15,
        consent={"keep": "given", "given_by": "guardian", "given_on": today()},
    )
    assert unnamed.context["consent_form"].errors["guardian_name"]
    assert not CaseFile.objects.exists()

    accepted = _intake(
        client,
        age_years=15,
        consent={
            "keep": "given",
            "given_by": "guardian",
            "guardian_name": "Nadia Dubois",
            "given_on": today(),
        },
    )
    assert accepted.status_code == 302
    consent = Consent.objects.get()
    assert (consent.given_by, consent.guardian_name) == ("guardian", "Nadia Dubois")


def test_the_consent_step_must_be_answered(owner):
    response = signed_in(owner).post(
        reverse("intake"), intake_post(consent={"keep": ""})
    )
    assert response.status_code == 200
    assert response.context["consent_form"].errors["keep"] == [
        "Indiquez si le consentement à la conservation de ce dossier a été donné."
    ]
    assert not CaseFile.objects.exists()


def test_the_sharing_consents_given_at_intake_let_the_file_be_shared(owner):
    client = signed_in(owner)
    response = _intake(
        client,
        age_years=20,
        consent={
            "keep": "given",
            "given_by": "self",
            "given_on": today(),
            "partners": str(org("actiris").pk),
            "funder_reporting": True,
        },
    )
    assert response.status_code == 302
    case_file = CaseFile.objects.get()
    purposes = sorted(
        (c.purpose, c.partner.code if c.partner else "")
        for c in case_file.consents.select_related("partner")
    )
    assert purposes == [
        ("processing", ""),
        ("reporting", ""),
        ("sharing", "actiris"),
    ]
    shared = client.post(
        reverse("case_share", args=[case_file.pk]),
        {
            "partner": org("actiris").pk,
            "purpose": "Inscription chez Actiris",
            "scope": Share.Scope.VIEW,
        },
    )
    assert shared.status_code == 302
    assert case_file.shares.get().consent.partner == org("actiris")


def test_sharing_consents_need_the_consent_to_keep_the_file(owner):
    response = _intake(
        signed_in(owner),
        age_years=20,
        consent={"keep": "later", "partners": str(org("actiris").pk)},
    )
    assert response.status_code == 200
    assert response.context["consent_form"].errors["partners"]
    assert not CaseFile.objects.exists()


def test_a_file_opened_without_consent_is_flagged_until_it_is_recorded(owner):
    client = signed_in(owner)
    response = _intake(client, age_years=17, consent={"keep": "later"}, advisor=owner)
    assert response.status_code == 302
    case_file = CaseFile.objects.get()
    assert not case_file.consents.exists()
    case_page = body(client.get(reverse("case_detail", args=[case_file.pk])))
    assert "Aucun consentement à la conservation de ce dossier" in case_page
    dashboard = body(client.get(reverse("dashboard")))
    assert "Dossiers sans consentement" in dashboard
    assert f"#{case_file.pk}" in dashboard
    # The list under "see all" is the case list filtered the same way.
    listed = client.get(reverse("case_list"), {"consent": "missing"})
    assert [c.pk for c in listed.context["page"]] == [case_file.pk]

    recorded = client.post(
        reverse("consent_create", args=[case_file.pk]),
        {"purpose": "processing", "given_by": "self", "given_on": today()},
    )
    assert recorded.status_code == 302
    assert "Dossiers sans consentement" not in body(client.get(reverse("dashboard")))
    listed = client.get(reverse("case_list"), {"consent": "missing"})
    assert list(listed.context["page"]) == []


def test_the_flag_list_is_bounded_with_a_link_to_all(owner):
    for index in range(12):
        make_case(
            advisor=owner,
            first_name=f"Jeune{index}",
            last_name="Sansaccord",
            phone="",
            email="",
        )
    page = body(signed_in(owner).get(reverse("dashboard")))
    section = page.split("Dossiers sans consentement")[1].split("</section>")[0]
    assert section.count("<li>") == 10
    assert "Voir tous mes dossiers sans consentement" in section
    assert "consent=missing" in section


def test_withdrawing_a_consent_says_which_partners_lose_access_first(
    owner, partner, case
):
    shared = share_case(case, owner=owner, partner_user=partner)
    url = reverse("consent_withdraw", args=[case.pk, shared.consent_id])
    client = signed_in(owner)
    page = client.get(url)
    assert page.status_code == 200
    assert "Ces partenaires perdent aussitôt l'accès" in body(page)
    assert "Actiris" in body(page)
    # Posted without the confirmation (an old form, a double click): the page again.
    again = client.post(url, {"withdrawn_on": today().isoformat()})
    assert again.status_code == 200
    shared.refresh_from_db()
    assert shared.status == Share.Status.ACCEPTED
    assert Consent.objects.get(pk=shared.consent_id).withdrawn_on is None

    done = client.post(url, {"withdrawn_on": today().isoformat(), "confirm": "1"})
    assert done.status_code == 302
    shared.refresh_from_db()
    assert shared.status == Share.Status.WITHDRAWN
    assert grants(case) == set()


def test_a_withdrawal_dated_in_the_future_is_shown_on_the_page(owner, partner, case):
    consent = record_sharing_consent(case, owner, org("actiris"))
    url = reverse("consent_withdraw", args=[case.pk, consent.pk])
    future = (today() + datetime.timedelta(days=3)).isoformat()
    response = signed_in(owner).post(url, {"withdrawn_on": future, "confirm": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["withdrawn_on"]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_revoking_a_share_is_confirmed_on_a_page_saying_access_ends_now(
    owner, partner, case
):
    shared = share_case(case, owner=owner, partner_user=partner)
    url = reverse("share_revoke", args=[case.pk, shared.pk])
    client = signed_in(owner)
    page = client.get(url)
    assert "Actiris perd dès maintenant l'accès à ce dossier" in body(page)
    assert client.post(url).status_code == 200
    shared.refresh_from_db()
    assert shared.status == Share.Status.ACCEPTED
    assert client.post(url, {"confirm": "1"}).status_code == 302
    shared.refresh_from_db()
    assert shared.status == Share.Status.REVOKED


def test_the_case_page_links_to_the_confirmation_pages_not_to_direct_posts(
    owner, partner, case
):
    shared = share_case(case, owner=owner, partner_user=partner)
    page = body(signed_in(owner).get(reverse("case_detail", args=[case.pk])))
    revoke = reverse("share_revoke", args=[case.pk, shared.pk])
    withdraw = reverse("consent_withdraw", args=[case.pk, shared.consent_id])
    assert f'href="{revoke}"' in page and f'action="{revoke}"' not in page
    assert f'href="{withdraw}"' in page and f'action="{withdraw}"' not in page


# --- referrals both ways ---


def test_a_decline_needs_a_reason(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    client = signed_in(partner)
    url = reverse("share_decline", args=[share.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Pourquoi votre organisation refuse-t-elle cette orientation" in body(page)
    # The partner sees only the first name and initial of a referral not accepted.
    assert "Vandersmissen" not in body(page)
    refused = client.post(url, {"confirm": "1", "reason": "  "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    share.refresh_from_db()
    assert share.status == Share.Status.PENDING
    assert not mail.outbox


def test_the_owner_reads_who_declined_when_and_why_and_is_told(
    owner, partner, case, django_capture_on_commit_callbacks
):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(partner).post(
            reverse("share_decline", args=[share.pk]),
            {"confirm": "1", "reason": "Pas inscrite comme chercheuse d'emploi"},
        )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == Share.Status.DECLINED
    assert share.decline_reason == "Pas inscrite comme chercheuse d'emploi"
    assert grants(case) == set()

    # The e-mail: the file's number, no personal data; in the site's language.
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == f"Orientation refusée : dossier n° {case.pk}"
    for personal in ("Mélodie", "Vandersmissen", "chercheuse"):
        assert personal not in message.subject + message.body
    assert reverse("case_detail", args=[case.pk]) in message.body

    client = signed_in(owner)
    dashboard = body(client.get(reverse("dashboard")))
    assert "Orientations refusées" in dashboard
    assert "refusé par Lotte Peeters (Actiris)" in dashboard
    # French puts a non-breaking space before the colon.
    assert "\u00a0: <q>Pas inscrite comme chercheuse d'emploi</q>" in dashboard

    case_page = body(client.get(reverse("case_detail", args=[case.pk])))
    # Hidden by default (not live), shown under the filter.
    assert "refusé par Lotte Peeters" not in case_page
    assert "Afficher aussi les partages terminés et refusés" in case_page
    ended = body(client.get(reverse("case_detail", args=[case.pk]), {"shares": "all"}))
    answered = timezone.localtime(share.answered_at)
    assert f"refusé par Lotte Peeters (Actiris) le {answered.day} " in ended
    assert "Pas inscrite comme chercheuse d'emploi" in ended
    # Seen on the case page: the dashboard notice is gone.
    assert "Orientations refusées" not in body(client.get(reverse("dashboard")))


def test_a_colleague_opening_the_file_does_not_dismiss_the_notice(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    signed_in(partner).post(
        reverse("share_decline", args=[share.pk]), {"confirm": "1", "reason": "Complet"}
    )
    colleague = make_user("karim", org_code="cdm")
    signed_in(colleague).get(reverse("case_detail", args=[case.pk]))
    assert "Orientations refusées" in body(signed_in(owner).get(reverse("dashboard")))


def test_ended_and_declined_referrals_stay_listed_under_the_filter(
    owner, partner, case
):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    signed_in(partner).post(
        reverse("share_decline", args=[share.pk]), {"confirm": "1", "reason": "Complet"}
    )
    client = signed_in(partner)
    current = body(client.get(reverse("shares")))
    assert "Complet" not in current
    ended = body(client.get(reverse("shares"), {"ended": "1"}))
    assert f"Dossier #{case.pk}" in ended and "Complet" in ended
    # The referral is over: the partner no longer reads the young person's name.
    assert "Mélodie" not in ended and "Vandersmissen" not in ended
    owners = body(signed_in(owner).get(reverse("shares"), {"ended": "1"}))
    assert "Mélodie Vandersmissen" in owners and "Complet" in owners


def test_the_partners_dashboard_is_titled_for_what_it_shows(partner):
    page = body(signed_in(partner).get(reverse("dashboard")))
    heading = page.split("<h1")[1].split("</h1>")[0]
    assert "Partagés avec nous" in heading
    assert "Mes dossiers" not in heading


# --- languages spoken, for the reader ---


def test_other_languages_read_in_the_interface_language():
    from youthtrack.language_names import in_language

    assert in_language("arabe, berbère", "en") == "Arabic, Berber"
    assert in_language("arabe, berbère", "nl") == "Arabisch, Berbers"
    assert in_language("Arabic, english", "fr") == "arabe, anglais"
    # What is not known is shown as typed.
    assert in_language("tshiluba, anglais", "en") == "tshiluba, English"


def test_the_case_page_names_the_languages_in_english_in_english(owner, case):
    person = case.young_person
    person.other_languages = "arabe, lingala"
    person.save()
    client = signed_in(owner)
    page = body(
        client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Arabic, Lingala" in page and "arabe" not in page
