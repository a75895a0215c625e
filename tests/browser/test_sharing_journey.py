"""A referral in a real browser: the advisor shares a case file with Actiris, the
Actiris user accepts it, reads it and adds a note; the advisor revokes the sharing and
the Actiris user's next click answers "not found"."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import Programme
from tests.factories import CaseFileFactory, NoteFactory
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    Note,
    Organisation,
    Share,
    User,
)

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def demo(live_server) -> dict[str, User]:
    call_command("seed_demo", people=20, seed=11, stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def test_share_accept_note_revoke(demo, new_page, screenshot):
    advisor = demo["advisor"]
    case = CaseFileFactory(
        advisor=advisor,
        owner_organisation=advisor.organisation,
        status=CaseFile.Status.ACTIVE,
        programme=Programme.objects.get(code="touchngo"),
        young_person__first_name="Yasmina",
        young_person__last_name="Benali",
    )
    internal = NoteFactory(
        case_file=case,
        author=advisor,
        organisation=advisor.organisation,
        visibility=Note.Visibility.ORGANISATION,
        topic="Situation familiale",
        text="Information interne au CDM, à ne pas partager.",
    )
    actiris = Organisation.objects.get(code="actiris")

    # The advisor tries to share without consent: refused, beside the partner field.
    owner = new_page(language="en")
    log_in(owner, "advisor")
    owner.goto(f"/cases/{case.pk}/")
    owner.get_by_role("link", name="Share with a partner").first.click()
    owner.get_by_label("Partner organisation").select_option(str(actiris.pk))
    owner.get_by_label("Purpose").fill("Job search support with Actiris")
    owner.get_by_label("View and add notes").check()
    owner.get_by_role("button", name="Send the sharing request").click()
    expect(owner.locator(".field--error")).to_contain_text("No recorded consent")
    screenshot(owner, "sharing refused without consent")
    assert not Share.objects.filter(case_file=case).exists()

    # Record the young person's consent to sharing with Actiris, then share.
    owner.goto(f"/cases/{case.pk}/consents/new/")
    owner.get_by_label("Purpose").select_option("sharing")
    owner.get_by_label("Partner organisation covered").select_option(str(actiris.pk))
    owner.get_by_label("The young person").check()
    owner.get_by_role("button", name="Record").click()
    expect(owner.locator(".message--success")).to_be_visible()
    owner.goto(f"/cases/{case.pk}/share/")
    owner.get_by_label("Partner organisation").select_option(str(actiris.pk))
    owner.get_by_label("Purpose").fill("Job search support with Actiris")
    owner.get_by_label("View and add notes").check()
    owner.get_by_role("button", name="Send the sharing request").click()
    expect(owner.locator("#shares-title")).to_be_visible()
    expect(owner.locator("section[aria-labelledby=shares-title]")).to_contain_text(
        "Awaiting the partner's answer"
    )
    screenshot(owner, "shared, awaiting the answer")
    share = Share.objects.get(case_file=case)

    # The Actiris user sees the request on the dashboard, but not the file yet.
    partner = new_page(language="en")
    log_in(partner, "partner")
    request_card = partner.locator("section[aria-labelledby=with-us-title]")
    expect(request_card).to_contain_text("Yasmina B.")
    assert "Benali" not in request_card.inner_text()
    screenshot(partner, "request on the partner dashboard")
    response = partner.goto(f"/cases/{case.pk}/")
    assert response.status == 404

    # Accept: the file opens, without the CDM's internal note.
    partner.goto("/")
    request_row = partner.locator("li", has_text="Yasmina B.")
    request_row.get_by_role("button", name="Accept").click()
    expect(partner.locator("h1")).to_have_text("Yasmina Benali")
    expect(partner.locator("main")).not_to_contain_text(internal.text)
    expect(partner.locator("main")).not_to_contain_text(internal.topic)
    screenshot(partner, "accepted, the case file is open")

    # The partner adds a note for every organisation the case is shared with.
    partner.get_by_role("link", name="Add a note").click()
    partner.get_by_label("Topic").fill("Entretien Actiris")
    partner.locator("#id_text").fill("Inscrite comme chercheuse d'emploi.")
    partner.get_by_label("Every organisation the case is shared with").check()
    partner.get_by_role("button", name="Save the note").click()
    expect(partner.locator(".timeline")).to_contain_text("Entretien Actiris")
    screenshot(partner, "partner note added")
    assert Note.objects.filter(
        case_file=case, organisation=actiris, topic="Entretien Actiris"
    ).exists()

    # The advisor sees the partner's note, who accessed the file, and revokes.
    owner.goto(f"/cases/{case.pk}/")
    expect(owner.locator(".timeline")).to_contain_text("Entretien Actiris")
    # Who accessed the file: on its own tab.
    owner.locator("nav.tabs").get_by_role("link", name="Who accessed this file").click()
    expect(owner.locator("main table")).to_contain_text("Lotte Peeters")
    screenshot(owner, "who accessed the file")
    owner.locator("nav.tabs").get_by_role("link", name="Case file").click()
    owner.locator("section[aria-labelledby=shares-title]").get_by_role(
        "link", name="Revoke"
    ).click()
    # A page says what happens before anything does.
    expect(owner.locator("main")).to_contain_text("loses access to this case file now")
    screenshot(owner, "revoking asks for confirmation")
    share.refresh_from_db()
    assert share.status == Share.Status.ACCEPTED
    owner.get_by_role("button", name="Revoke the sharing").click()
    expect(owner.locator(".message--success")).to_contain_text("revoked")
    screenshot(owner, "sharing revoked")
    share.refresh_from_db()
    assert share.status == Share.Status.REVOKED

    # The partner's next click: not found, and the file is gone from the lists.
    response = partner.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(partner.locator("h1")).to_have_text("Not found")
    expect(partner.locator("main")).not_to_contain_text("Benali")
    screenshot(partner, "partner next click not found")
    partner.goto("/cases/?q=benali")
    expect(partner.locator(".result-count")).to_contain_text("0 case files")

    actions = set(
        AuditEvent.objects.filter(case_file=case).values_list("action", flat=True)
    )
    assert {"consent", "share", "accept", "view", "create", "revoke"} <= actions
    assert partner.server_errors == [] and owner.server_errors == []
    assert timezone.localdate() >= share.created_at.date()
