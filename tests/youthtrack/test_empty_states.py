"""Empty lists say what to do next, to the user who sees them: an advisor is led to
the intake, a partner told how a referral reaches them, the administrator's empty
audit trail told whether the filters or the trail itself are empty."""

import pytest
from django.urls import reverse

from youthtrack.models import AuditEvent, User

from .sharing_helpers import confirmed_device, make_user, signed_in, verify_session

pytestmark = pytest.mark.django_db


def page(client, name: str, **query) -> str:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


def empty_paragraph(html: str) -> str:
    start = html.index('<p class="empty">')
    return " ".join(html[start : html.index("</p>", start)].split())


def test_an_advisor_without_files_is_led_to_the_intake():
    advisor = make_user("sarah", org_code="cdm")
    empty = empty_paragraph(
        page(signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en"), "case_list")
    )
    assert "No case file yet." in empty
    assert (
        f'<a href="{reverse("intake")}">Open the first one with a new intake</a>'
        in (empty)
    )


def test_a_partner_without_files_is_told_how_a_referral_reaches_them():
    partner = make_user("lotte", org_code="actiris", role=User.Role.PARTNER)
    client = signed_in(partner, HTTP_ACCEPT_LANGUAGE="nl")
    empty = empty_paragraph(page(client, "case_list"))
    assert "zodra uw organisatie de doorverwijzing heeft aanvaard" in empty
    assert reverse("intake") not in empty  # a partner opens no file
    dashboard = page(client, "dashboard")
    assert "verschijnt de doorverwijzing hier om te aanvaarden of te weigeren" in (
        dashboard
    )


def test_the_audit_trail_says_whether_its_filters_or_itself_are_empty():
    administrator = make_user("admin", org_code="cdm", role=User.Role.ADMIN)
    client = signed_in(administrator, HTTP_ACCEPT_LANGUAGE="fr")
    verify_session(client, confirmed_device(administrator))
    assert not AuditEvent.objects.exists()  # a fresh organisation's trail
    trail = page(client, "audit_log")
    assert not AuditEvent.objects.exists()  # reading the trail records nothing
    assert "Aucun événement enregistré pour l’instant" in trail
    filtered = empty_paragraph(page(client, "audit_log", date_to="2001-01-01"))
    assert "Aucun événement ne correspond à ces filtres" in filtered
    assert reverse("audit_log") in filtered
