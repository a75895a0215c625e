"""Consent and referrals in a real browser: an intake that asks for the consent (a
parent's under 16), a file opened without one flagged on the dashboard, a consent
withdrawal and a decline each confirmed on a page that says what happens, and the
decline read by the advisor who referred the young person."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Programme
from tests.factories import CaseFileFactory
from youthtrack import services
from youthtrack.models import CaseFile, Consent, Organisation, Share, User

from .conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def demo(live_server) -> dict[str, User]:
    call_command("seed_demo", people=20, seed=11, stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def _switch_language(page, code: str) -> None:
    """Through the header's language switch (saved for the user, who may have
    another language saved from an earlier login)."""
    if page.locator("html").get_attribute("lang") == code:
        return  # log_in already switched to the page's language
    button = page.locator(f"button[name=language][value={code}]")
    with page.expect_navigation():
        if button.count():
            button.first.click()
        else:
            page.locator("select[name=language]").select_option(code)
            page.locator("select[name=language]").evaluate("el => el.form.submit()")


def _fill_intake(page, *, first: str, last: str, born: datetime.date) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.locator("#id_person-gender").select_option("female")
    page.locator("#id_person-commune").select_option(index=1)
    page.locator("#id_case-programme").select_option(label="Touch'N'Go")
    page.locator("input[name=case-employment_status][value=unemployed]").check()
    page.locator("#id_case-highest_diploma").select_option(index=1)
    for name in ("disability", "foreign_background", "minority", "homeless"):
        page.locator(f"input[name=case-{name}][value=no]").check()
    page.locator("input[name=case-referral][value=own]").check()


def test_intake_consent_and_a_file_without_consent(demo, new_page, screenshot):
    page = new_page(language="en")
    log_in(page, "advisor")
    page.get_by_role("link", name="New intake").first.click()
    today = timezone.localdate()
    born = today.replace(year=today.year - 15) - datetime.timedelta(days=40)
    _fill_intake(page, first="Inès", last="Vermeulen", born=born)
    consent = page.locator("#consent-step")
    consent.get_by_label("Given", exact=True).check()
    consent.get_by_label("The young person").check()
    screenshot(page, "intake consent step")
    page.get_by_role("button", name="Open the case file").click()
    # Fifteen: the consent must come from a parent or guardian; nothing is opened.
    expect(page.locator(".error-summary")).to_contain_text("under 16")
    screenshot(page, "under 16 refused")
    assert not CaseFile.objects.filter(young_person__last_name="Vermeulen").exists()
    consent = page.locator("#consent-step")
    consent.get_by_label("A parent or guardian").check()
    consent.get_by_label("Name of parent or guardian").fill("Sophie Vermeulen")
    consent.get_by_label("Actiris", exact=True).check()
    page.get_by_role("button", name="Open the case file").click()
    expect(page.locator(".message--success")).to_contain_text("opened")
    case_file = CaseFile.objects.get(young_person__last_name="Vermeulen")
    assert sorted(case_file.consents.values_list("purpose", "given_by")) == [
        ("processing", "guardian"),
        ("sharing", "guardian"),
    ]
    screenshot(page, "case file with its consents")

    # Seventeen, consent not given yet: flagged on the dashboard until recorded.
    page.get_by_role("link", name="New intake").first.click()
    born = today.replace(year=today.year - 17) - datetime.timedelta(days=40)
    _fill_intake(page, first="Noah", last="Claessens", born=born)
    page.locator("#consent-step").get_by_label("Not yet", exact=False).check()
    page.get_by_role("button", name="Open the case file").click()
    expect(page.locator(".message--warning")).to_contain_text(
        "No consent to keep this case file is recorded"
    )
    screenshot(page, "case page asks for the consent")
    page.goto("/")
    flagged = page.locator("section[aria-labelledby=consent-missing-title]")
    expect(flagged).to_contain_text("Noah Claessens")
    screenshot(page, "dashboard files without consent")
    flagged.get_by_role("link", name="Record the consent").first.click()
    page.get_by_label("The young person").check()
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".message--success")).to_be_visible()
    page.goto("/")
    expect(
        page.locator(
            "section[aria-labelledby=consent-missing-title]", has_text="Noah Claessens"
        )
    ).to_have_count(0)

    # The consent step in Dutch, on a phone: one column, every label translated.
    phone = new_page(viewport=PHONE)
    log_in(phone, "advisor")
    _switch_language(phone, "nl")
    phone.goto("/cases/new/")
    step = phone.locator("#consent-step")
    expect(step).to_contain_text("Toestemming om dit dossier bij te houden")
    step.scroll_into_view_if_needed()
    screenshot(phone, "intake consent step in Dutch on a phone")
    assert page.server_errors == [] and phone.server_errors == []


def test_withdrawal_and_decline_are_confirmed_and_reach_the_owner(
    demo, new_page, screenshot
):
    # Three referrals to Actiris awaiting its answer, each with its consent.
    advisor, actiris = demo["advisor"], Organisation.objects.get(code="actiris")
    files = [
        CaseFileFactory(
            advisor=advisor,
            owner_organisation=advisor.organisation,
            status=CaseFile.Status.ACTIVE,
            programme=Programme.objects.get(code="touchngo"),
            young_person__first_name=first,
            young_person__last_name=last,
            young_person__age=16,
        )
        for first, last in (
            ("Amira", "Haddad"),
            ("Bram", "Willems"),
            ("Chaima", "Ouali"),
        )
    ]
    pending = []
    for case_file in files:
        services.consent_record(
            case_file=case_file,
            acting_user=advisor,
            data={
                "purpose": Consent.Purpose.SHARING,
                "partner": actiris,
                "given_by": "guardian",
                "guardian_name": "Parent",
                "given_on": timezone.localdate(),
            },
        )
        pending.append(
            services.case_file_share(
                case_file=case_file,
                acting_user=advisor,
                partner=actiris,
                purpose="Inscription chez Actiris (Touch'N'Go)",
                scope=Share.Scope.NOTES,
            )
        )
    declined_share, withdrawn_share = pending[0], pending[1]
    declined_person = declined_share.case_file.young_person

    # The partner's dashboard is titled for what it shows.
    partner = new_page(language="en")
    log_in(partner, "partner")
    expect(partner.locator("h1")).to_have_text("Shared with us")
    screenshot(partner, "partner dashboard")
    row = partner.locator("li", has_text=f"{declined_person.first_name} ").filter(
        has=partner.get_by_role("link", name="Decline")
    )
    row.first.get_by_role("link", name="Decline").click()
    expect(partner.locator("h1")).to_have_text("Decline a referral")
    partner.get_by_role("button", name="Decline the referral").click()
    expect(partner.locator(".error-summary")).to_contain_text("Say why")
    partner.get_by_label("Why does your organisation decline this referral?").fill(
        "Not registered as a job seeker yet: register first, then refer again."
    )
    screenshot(partner, "decline asks for a reason")
    partner.get_by_role("button", name="Decline the referral").click()
    expect(partner.locator(".message--success")).to_contain_text("declined")
    declined_share.refresh_from_db()
    assert declined_share.status == Share.Status.DECLINED
    (message,) = mail.outbox
    assert str(declined_share.case_file_id) in message.subject
    assert declined_person.last_name not in message.subject + message.body

    # The advisor is told on the dashboard, and reads who declined and why.
    owner = new_page(language="en")
    log_in(owner, "advisor")
    notice = owner.locator("section[aria-labelledby=declined-title]")
    expect(notice).to_contain_text("declined by Lotte Peeters (Actiris)")
    screenshot(owner, "dashboard referrals declined")
    notice.get_by_role("link").first.click()
    owner.get_by_role("link", name="Show ended and declined").click()
    shares = owner.locator("section[aria-labelledby=shares-title]")
    expect(shares).to_contain_text("declined by Lotte Peeters (Actiris) on")
    expect(shares).to_contain_text("Not registered as a job seeker yet")
    screenshot(owner, "case page declined with reason")
    owner.goto("/")
    expect(owner.locator("section[aria-labelledby=declined-title]")).to_have_count(0)

    # Withdrawing a consent says which partners lose access, then does it.
    case_file = withdrawn_share.case_file
    owner.goto(f"/cases/{case_file.pk}/")
    owner.locator("section[aria-labelledby=consent-title]").get_by_role(
        "link", name="Record withdrawal"
    ).first.click()
    expect(owner.locator("main")).to_contain_text("These partners lose access")
    expect(owner.locator("main")).to_contain_text("Actiris")
    screenshot(owner, "withdrawal confirmation")
    assert Consent.objects.filter(case_file=case_file, withdrawn_on=None).exists()
    owner.get_by_role("button", name="Withdraw the consent").click()
    expect(owner.locator(".message--success")).to_contain_text("withdrawn")
    withdrawn_share.refresh_from_db()
    assert withdrawn_share.status == Share.Status.WITHDRAWN

    # The same pages on a phone, in French.
    phone = new_page(viewport=PHONE)
    log_in(phone, "partner")
    _switch_language(phone, "fr")
    phone.goto(f"/shares/{pending[2].pk}/decline/")
    screenshot(phone, "decline page on a phone in French")
    phone.goto("/shares/?ended=1")
    expect(phone.locator("main")).to_contain_text("refusé par Lotte Peeters")
    screenshot(phone, "ended and declined on a phone")
    assert partner.server_errors == [] and owner.server_errors == []
