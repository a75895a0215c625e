"""The advisor's dashboard starts with today: follow-ups due today, then overdue,
then in the coming week, each a few rows with "see all" to the complete list; then
the advisor's week (their appointments and their cohorts' sessions), which opens on
the next week with something when the current one is empty."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import CaseFileFactory, CohortFactory, SessionFactory
from tests.factories.programmes import at
from tests.youthtrack.helpers import page_text
from tests.youthtrack.sharing_helpers import make_case, make_user, share_case, signed_in
from youthtrack import selectors

DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def due_in(advisor, today, days, **kwargs):
    return CaseFileFactory(
        advisor=advisor, active=True, next_follow_up_on=today + days * DAY, **kwargs
    )


def test_today_comes_first_then_overdue_then_the_coming_week(advisor, client_as, today):
    coming = due_in(advisor, today, 3, young_person__last_name="Coming")
    overdue = due_in(advisor, today, -4, young_person__last_name="Overdue")
    due = due_in(advisor, today, 0, young_person__last_name="Today")
    due_in(advisor, today, 9, young_person__last_name="Later")
    text = page_text(client_as("advisor").get(reverse("dashboard")))
    headings = [text.index(h) for h in ("Due today", "Overdue", "In the coming week")]
    assert headings == sorted(headings)
    names = [text.index(case.young_person.last_name) for case in (due, overdue, coming)]
    assert names == sorted(names)
    # The coming week no longer repeats the overdue file; beyond a week is not listed
    # among the follow-ups (the week's calendar may show it).
    section = text[text.index("Due today") : text.index("No contact for 30 days")]
    assert section.count("Overdue,") <= 1
    assert "Later" not in section


def test_each_list_is_bounded_and_see_all_leads_to_the_complete_list(
    advisor, colleague, client_as, today, monkeypatch
):
    monkeypatch.setattr(selectors, "DASHBOARD_FOLLOW_UP_ROWS", 2)
    overdue = [due_in(advisor, today, -n) for n in (1, 2, 3)]
    due_in(advisor, today, 0)
    due_in(colleague, today, -5)  # not mine
    CaseFileFactory(advisor=advisor, closed=True, next_follow_up_on=today - DAY)
    client = client_as("advisor")
    page = client.get(reverse("dashboard"))
    text = page_text(page)
    assert text.count("overdue since") == 2
    assert "See all overdue follow-ups" in text
    assert "See all follow-ups due today" not in text  # one file: all shown
    link = page.context["follow_up_links"]["overdue"]
    listing = client.get(f"{reverse('case_list')}?{link}")
    assert {case.pk for case in listing.context["page"].object_list} == {
        case.pk for case in overdue
    }


def test_the_coming_weeks_link_lists_tomorrow_to_a_week_ahead(
    advisor, client_as, today
):
    within = [due_in(advisor, today, n) for n in (1, 7)]
    due_in(advisor, today, 8)
    due_in(advisor, today, 0)
    client = client_as("advisor")
    link = client.get(reverse("dashboard")).context["follow_up_links"]["coming"]
    listing = client.get(f"{reverse('case_list')}?{link}")
    assert [case.pk for case in listing.context["page"].object_list] == [
        case.pk for case in within
    ]


def test_empty_lists_say_what_to_do(advisor, client_as):
    text = page_text(client_as("advisor").get(reverse("dashboard")))
    assert "No follow-up due today." in text
    assert "No overdue follow-up." in text
    assert "set the next follow-up on a case file when you write a note" in text


def _my_session(advisor, day, title):
    cohort = CohortFactory(start_date=day - 10 * DAY)
    cohort.advisors.add(advisor)
    return SessionFactory(cohort=cohort, title=title, starts_at=at(day))


def test_the_week_shows_my_appointments_and_my_cohorts_sessions(
    advisor, client_as, today
):
    monday = today - today.weekday() * DAY
    due_in(advisor, today, (monday - today).days + 6, young_person__last_name="Sunday")
    _my_session(advisor, monday, "Atelier CV")
    others = CohortFactory(start_date=monday)  # not the advisor's cohort
    SessionFactory(cohort=others, title="Someone else's", starts_at=at(monday))
    page = client_as("advisor").get(reverse("dashboard"))
    text = page_text(page)
    section = text[text.index("My week") :]
    assert "Atelier CV" in section
    assert "Sunday" in section
    assert "Someone else's" not in section
    assert "Nothing planned in the week of" not in text


def test_an_empty_week_opens_on_the_next_week_with_something(advisor, client_as, today):
    monday = today - today.weekday() * DAY
    later = monday + 21 * DAY + 2 * DAY  # a Wednesday three weeks on
    _my_session(advisor, later, "Job dating")
    client = client_as("advisor")
    page = client.get(reverse("dashboard"))
    text = page_text(page)
    assert "Nothing planned in the week of" in text
    assert "Job dating" in text[text.index("My week") :]
    # Asked for explicitly, the current week stays the current week, empty, with a
    # way on.
    text = page_text(client.get(reverse("dashboard"), {"week": today.isoformat()}))
    assert "Job dating" not in text
    assert "Nothing planned this week." in text
    assert f"?week={(monday + 7 * DAY).isoformat()}#week" in text


def test_week_navigation_moves_by_seven_days(advisor, client_as, today):
    monday = today - today.weekday() * DAY
    _my_session(advisor, monday + 7 * DAY, "Next week's workshop")
    client = client_as("advisor")
    text = page_text(
        client.get(reverse("dashboard"), {"week": (monday + 7 * DAY).isoformat()})
    )
    assert "Next week's workshop" in text
    assert f"?week={monday.isoformat()}#week" in text
    # A week that is not a date: the current week, no error.
    assert client.get(reverse("dashboard"), {"week": "nope"}).status_code == 200


def test_the_week_costs_two_queries_whichever_week_it_opens_on(
    advisor, today, rf, django_assert_num_queries
):
    from programmes import selectors as programme_selectors

    for n in range(5):
        due_in(advisor, today, 30 + n)
        _my_session(advisor, today + (40 + n) * DAY, f"S{n}")
    with django_assert_num_queries(2):
        week = programme_selectors.advisor_week(user=advisor, day=None)
    assert week.moved_from is not None
    assert sum(len(day.follow_ups) for day in week.days) >= 1


@pytest.mark.parametrize("shared", [selectors.DASHBOARD_SHARES_ROWS, 12])
def test_the_dashboard_lists_the_latest_sharings_and_links_to_the_others(shared):
    """Shared by us (the advisor) and shared with us (the partner): the latest ten,
    newest first, and "See all sharing" to the sharing page once there are more."""
    owner = make_user("owner", org_code="cdm")
    partner = make_user("reader", org_code="actiris", role="partner")
    cases = [
        make_case(
            advisor=owner,
            first_name=f"Person{i:02d}",
            last_name=f"Shared{i:02d}",
            phone="",
            email="",
        )
        for i in range(shared)
    ]
    for case_file in cases:
        share_case(case_file, owner=owner, partner_user=partner)
    newest = {f"Person{i:02d} Shared{i:02d}" for i in range(shared - 10, shared)}
    for user, key in ((owner, "shared_by_us"), (partner, "shared_with_us")):
        day = selectors.dashboard_for_user(user=user)
        assert {str(s.case_file.young_person) for s in day[key]} == newest
        assert day[f"{key}_more"] is (shared > 10)
        html = signed_in(user, HTTP_ACCEPT_LANGUAGE="en").get(reverse("dashboard"))
        text = html.content.decode()
        assert (f'href="{reverse("shares")}">' in text) is (shared > 10)
