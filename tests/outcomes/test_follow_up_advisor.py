"""The dashboard's follow-ups after exit are read by the follow-up's copy of its file's
advisor: the copy is set when the follow-up is scheduled and follows the file when it
changes advisor, and the panel stays bounded whatever the caseload."""

import pytest
from django.urls import reverse

from outcomes.models import FollowUp
from outcomes.records import selectors as record_selectors
from outcomes.records import services
from tests.youthtrack.helpers import page_text
from tests.youthtrack.sharing_helpers import make_user, signed_in
from youthtrack.services import cases as case_services

from .records_helpers import active_case, cdm_advisor, days, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor():
    return cdm_advisor()


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


def _dashboard_section(user) -> str:
    """The panel's HTML (its links name the follow-ups)."""
    page = signed_in(user, HTTP_ACCEPT_LANGUAGE="en").get(reverse("dashboard"))
    html = page.content.decode()
    return html[html.index('id="exit-follow-ups-title"') :]


def _answer_url(follow_up) -> str:
    return reverse(
        "outcomes:follow_up_answer", args=[follow_up.case_file_id, follow_up.pk]
    )


def test_closing_a_file_schedules_follow_ups_for_its_advisor(advisor):
    case = active_case(advisor, entry_days_ago=300)
    _close(case, advisor, today() - days(30))
    assert {f.advisor_id for f in FollowUp.objects.filter(case_file=case)} == {
        advisor.pk
    }


def test_a_file_given_to_a_colleague_takes_its_follow_ups_to_their_dashboard(advisor):
    colleague = make_user("karim", org_code=advisor.organisation.code)
    case = active_case(advisor, entry_days_ago=300)
    closed = _close(case, advisor, today() - days(30))  # upon leaving overdue
    link = _answer_url(closed.exit_follow_ups.get(kind="upon_leaving"))
    assert link in _dashboard_section(advisor)

    case_services.case_file_update(
        case_file=closed,
        acting_user=advisor,
        data={"advisor": colleague},
        expected_version=closed.version,
    )

    assert link in _dashboard_section(colleague)
    assert link not in _dashboard_section(advisor)
    assert {f.advisor_id for f in FollowUp.objects.filter(case_file=case)} == {
        colleague.pk
    }


def test_the_dashboard_lists_today_first_then_the_oldest_overdue_past_a_full_page(
    advisor,
):
    """Twelve overdue checks and one due today: today's comes first, then the nine
    oldest overdue, whatever is read to find them."""
    overdue = []
    for index in range(12):
        case = active_case(advisor, entry_days_ago=400)
        overdue.append(_close(case, advisor, today() - days(60 + index)))
    due_today = _close(
        active_case(advisor, entry_days_ago=300), advisor, today() - days(28)
    )
    shown = record_selectors.follow_ups_dashboard_for_advisor(user=advisor)
    rows = shown["follow_ups"]
    assert rows[0].case_file_id == due_today.pk
    assert rows[0].due_on == today()
    expected = list(
        FollowUp.objects.filter(
            case_file__in=overdue, due_on__lt=today(), answered_on__isnull=True
        ).order_by("due_on", "pk")[:9]
    )
    assert [row.pk for row in rows[1:]] == [row.pk for row in expected]
    assert shown["follow_ups_total"] == 13
    assert shown["all_open_count"] == 26


def test_past_the_count_limit_the_panel_says_more_than(advisor, monkeypatch):
    monkeypatch.setattr(record_selectors, "DASHBOARD_COUNT_LIMIT", 11)
    for _ in range(13):  # thirteen overdue, 26 open: past the ten rows and the limit
        _close(active_case(advisor, entry_days_ago=300), advisor, today() - days(30))
    section = page_text(
        signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en").get(reverse("dashboard"))
    )
    assert "More than 11 follow-ups due or overdue." in section
    assert "See all my follow-ups after exit (more than 11)" in section


def test_a_colleagues_follow_ups_are_not_on_my_dashboard(advisor):
    colleague = make_user("karim", org_code=advisor.organisation.code)
    closed = _close(
        active_case(colleague, entry_days_ago=300), colleague, today() - days(30)
    )
    shown = record_selectors.follow_ups_dashboard_for_advisor(user=advisor)
    assert shown["follow_ups"] == []
    assert (shown["follow_ups_total"], shown["all_open_count"]) == (0, 0)
    link = _answer_url(closed.exit_follow_ups.get(kind="upon_leaving"))
    assert link not in _dashboard_section(advisor)
    assert link in _dashboard_section(colleague)
