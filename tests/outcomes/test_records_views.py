"""The pages of outcomes, exits and follow-ups, as an advisor, a partner and an
outsider use them: the exit form reached from the case page, evidence served only
through the case file's gate, errors beside the fields, the dashboard's follow-ups."""

import pytest
from django.urls import reverse

from outcomes.models import FollowUp, Outcome
from outcomes.records import services
from tests.youthtrack.helpers import field_errors, input_value, page_text
from tests.youthtrack.sharing_helpers import make_user, share_case, signed_in
from youthtrack.models import AuditEvent, CaseFile, Share

from .records_helpers import (
    EXE,
    PDF,
    active_case,
    big_pdf,
    cdm_advisor,
    days,
    today,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor():
    return cdm_advisor()


@pytest.fixture
def case(advisor):
    return active_case(advisor)


def exit_post(case, **changes):
    data = {
        "version": str(case.version),
        "exit_date": today().isoformat(),
        "exit_reason": "completed",
        "comment": "",
        "outcome-kind": "qualifying_training",
        "outcome-start_date": (today() + days(10)).isoformat(),
        "outcome-end_date": "",
        "outcome-organisation_name": "Bruxelles Formation",
        "outcome-contract_kind": "",
        "outcome-weekly_hours": "",
        "outcome-source": "document",
        "outcome-verification_note": "",
        "outcome-evidence_file": upload(),
    }
    data.update(changes)
    return data


def test_the_case_page_close_button_leads_to_the_exit_form(case, advisor):
    client = signed_in(advisor)
    page = client.get(reverse("case_detail", args=[case.pk]))
    exit_url = reverse("outcomes:exit", args=[case.pk])
    assert f'href="{exit_url}"' in page.content.decode()
    # The generic status page sends the closure to the exit form too.
    old = client.get(reverse("case_transition", args=[case.pk, "closed"]))
    assert old.status_code == 302 and old["Location"] == exit_url


def test_closing_with_a_training_and_its_evidence_shows_both_on_the_case_page(
    case, advisor
):
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("outcomes:exit", args=[case.pk]), exit_post(case))
    assert response.status_code == 302
    outcome = Outcome.objects.get(case_file=case)
    page = page_text(client.get(reverse("case_detail", args=[case.pk])))
    assert "Qualifying training" in page
    assert "attestation.pdf" in page
    assert FollowUp.objects.filter(case_file=case).count() == 2
    download = client.get(
        reverse("outcomes:evidence_download", args=[case.pk, outcome.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(
        object_type="outcomes.outcome",
        object_id=outcome.pk,
        action=AuditEvent.Action.VIEW,
        actor=advisor,
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome-start_date": "2001-01-01"}, "id_outcome-start_date"),
        (
            {"outcome-end_date": today().isoformat()},  # before the start (10 days on)
            "id_outcome-end_date",
        ),
        ({"outcome-evidence_file": upload(EXE, "cv.pdf")}, "id_outcome-evidence_file"),
        ({"outcome-evidence_file": big_pdf()}, "id_outcome-evidence_file"),
        ({"exit_reason": ""}, "id_exit_reason"),
    ],
    ids=["before-entry", "end-before-start", "executable", "30-mb", "no-reason"],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_lost(
    case, advisor, changes, field
):
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("outcomes:exit", args=[case.pk]), exit_post(case, **changes)
    )
    assert response.status_code == 200
    assert field_errors(response, field)
    assert input_value(response, "outcome-organisation_name") == "Bruxelles Formation"
    case.refresh_from_db()
    assert case.status == CaseFile.Status.ACTIVE
    assert not Outcome.objects.exists() and not FollowUp.objects.exists()


def test_evidence_of_a_case_the_user_may_not_see_is_not_found(case, advisor):
    outcome = services.outcome_record(
        case_file=case,
        acting_user=advisor,
        data={
            "kind": Outcome.Kind.JOB,
            "start_date": today(),
            "source": Outcome.Source.DOCUMENT,
        },
        evidence=services.evidence_check(upload()),
    )
    url = reverse("outcomes:evidence_download", args=[case.pk, outcome.pk])
    outsider = make_user("thomas", org_code="vdab")
    partner = make_user("lotte", org_code="actiris")  # not shared with Actiris
    for user in (outsider, partner):
        assert signed_in(user).get(url).status_code == 404
    # The outcome reached through another file the user may see: still 404.
    other = active_case(outsider)
    assert (
        signed_in(outsider)
        .get(reverse("outcomes:evidence_download", args=[other.pk, outcome.pk]))
        .status_code
        == 404
    )
    assert signed_in(None).get(url).status_code == 302  # to the login page
    assert not AuditEvent.objects.filter(
        object_type="outcomes.outcome", action=AuditEvent.Action.VIEW
    ).exists()


def test_a_partner_with_the_outcomes_scope_records_one_and_cannot_close(case, advisor):
    partner = make_user("lotte", org_code="actiris")
    share_case(case, owner=advisor, partner_user=partner, scope=Share.Scope.OUTCOMES)
    client = signed_in(partner)
    response = client.post(
        reverse("outcomes:outcome_create", args=[case.pk]),
        {
            "kind": "job_search",
            "start_date": today().isoformat(),
            "source": "actiris",
            "verification_note": "Inscrite comme demandeuse d'emploi",
        },
    )
    assert response.status_code == 302
    assert Outcome.objects.get().recorded_by == partner
    assert client.get(reverse("outcomes:exit", args=[case.pk])).status_code == 403


def test_a_partner_with_the_notes_scope_may_not_record_an_outcome(case, advisor):
    partner = make_user("lotte", org_code="actiris")
    share_case(case, owner=advisor, partner_user=partner, scope=Share.Scope.NOTES)
    client = signed_in(partner)
    page = client.get(reverse("case_detail", args=[case.pk]))
    assert (
        reverse("outcomes:outcome_create", args=[case.pk]) not in page.content.decode()
    )
    response = client.post(
        reverse("outcomes:outcome_create", args=[case.pk]),
        {"kind": "job_search", "start_date": today().isoformat(), "source": "actiris"},
    )
    assert response.status_code == 403
    assert not Outcome.objects.exists()


def _close(case, advisor, exit_date):
    return services.participation_exit(
        case_file=case,
        acting_user=advisor,
        exit_date=exit_date,
        exit_reason="completed",
        comment="",
        expected_version=case.version,
        outcome_data=None,
    )


def test_the_dashboard_lists_due_today_then_overdue_then_coming_with_see_all(advisor):
    cases = [active_case(advisor, entry_days_ago=300) for _ in range(3)]
    _close(cases[0], advisor, today() - days(28))  # upon leaving due today
    _close(cases[1], advisor, today() - days(40))  # overdue
    _close(cases[2], advisor, today() - days(25))  # due in 3 days
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("dashboard"))
    rows = page.content.decode()
    answer_url = lambda case: reverse(  # noqa: E731
        "outcomes:follow_up_answer",
        args=[case.pk, case.exit_follow_ups.get(kind="upon_leaving").pk],
    )
    positions = [rows.index(answer_url(case)) for case in cases]
    assert positions[0] < positions[1] < positions[2]
    assert "due today" in page_text(page)
    all_page = client.get(reverse("outcomes:follow_up_list"))
    assert reverse("outcomes:follow_up_list") in rows
    # All six follow-ups (three files, two each) are on the "see all" page.
    assert page_text(all_page).count("#") >= 6


def test_a_follow_up_answer_employed_records_the_job(advisor):
    case = active_case(advisor, entry_days_ago=300)
    _close(case, advisor, today() - days(180))
    follow_up = case.exit_follow_ups.get(kind="six_months")
    client = signed_in(advisor)
    response = client.post(
        reverse("outcomes:follow_up_answer", args=[case.pk, follow_up.pk]),
        {
            "situation": "employed",
            "attempts": "1",
            "comment": "",
            "outcome-start_date": (today() - days(30)).isoformat(),
            "outcome-organisation_name": "STIB",
            "outcome-contract_kind": "permanent",
            "outcome-weekly_hours": "38",
            "outcome-source": "young_person",
            "outcome-verification_note": "Au téléphone",
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.outcome.kind == Outcome.Kind.JOB
    assert follow_up.outcome.organisation_name == "STIB"


def test_follow_ups_of_another_case_file_are_not_found(case, advisor):
    _close(case, advisor, today())
    follow_up = case.exit_follow_ups.first()
    other = active_case(advisor)
    client = signed_in(advisor)
    url = reverse("outcomes:follow_up_answer", args=[other.pk, follow_up.pk])
    assert client.get(url).status_code == 404
    outsider = make_user("thomas", org_code="vdab")
    url = reverse("outcomes:follow_up_answer", args=[case.pk, follow_up.pk])
    assert signed_in(outsider).get(url).status_code == 404


def test_registering_a_returning_young_person_reopens_their_file_and_says_so(advisor):
    """The advisor takes in someone who left Touch'N'Go earlier this operation: the
    intake leads to the same case file, reopened, and tells why."""
    from tests.factories.helpers import intake_post
    from tests.youthtrack.helpers import flash_messages

    case = active_case(advisor, entry_days_ago=200)
    _close(case, advisor, today() - days(60))
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    person = case.young_person
    response = client.post(
        f"{reverse('intake')}?person={person.pk}",
        {
            **intake_post(case={"programme": case.programme, "advisor": advisor}),
            "existing_person": str(person.pk),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    assert "already took part in this operation" in " ".join(flash_messages(response))
    assert CaseFile.objects.filter(young_person=person).count() == 1
    case.refresh_from_db()
    assert case.status == CaseFile.Status.ACTIVE
    assert case.entry_date == today() - days(200)
    assert not FollowUp.objects.filter(case_file=case, answered_on__isnull=True)


def test_the_dashboard_shows_ten_follow_ups_and_counts_the_rest(advisor):
    for _ in range(12):
        case = active_case(advisor, entry_days_ago=300)
        _close(case, advisor, today() - days(30))  # twelve overdue checks
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    page = page_text(client.get(reverse("dashboard")))
    section = page[page.index("Follow-ups after exit") :]
    assert section.count("overdue since") == 10
    assert "12 follow-ups due or overdue." in section
    assert "See all my follow-ups after exit (24)" in section
    listing = page_text(client.get(reverse("outcomes:follow_up_list")))
    assert listing.count("overdue since") == 12


def test_a_pdf_uploaded_under_a_web_page_name_downloads_as_a_pdf(case, advisor):
    """A probe uploaded a PDF/HTML polyglot as ``poly.html``: accepted as a PDF, it
    was served back as ``poly.html``, which a browser opens as a page once saved."""
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    post = exit_post(case, **{"outcome-evidence_file": upload(name="poly.html")})
    assert (
        client.post(reverse("outcomes:exit", args=[case.pk]), post).status_code == 302
    )
    outcome = Outcome.objects.get(case_file=case)
    download = client.get(
        reverse("outcomes:evidence_download", args=[case.pk, outcome.pk])
    )
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="poly.pdf"' in download["Content-Disposition"]
