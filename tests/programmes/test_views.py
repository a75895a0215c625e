"""Pages: who sees what (nothing leaks, nothing changes), the phone register with its
shortcut and its stale-save refusal, bulk enrolment, withdrawal with the waiting list
moving, the attendance sheets, the calendar, and fixed query counts."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from programmes.models import Attendance, Cohort, Enrolment, Session, WalkIn
from tests.factories import (
    AttendanceFactory,
    EligibleCaseFileFactory,
    EnrolmentFactory,
    WalkInFactory,
    reference,
)
from tests.factories.programmes import at
from tests.pdf import pdf_text
from youthtrack.models import AuditEvent

from .conftest import share, sign_in, weekdays

pytestmark = pytest.mark.django_db

ROLES = [
    "lead",
    "advisor",
    "colleague",
    "actiris_advisor",
    "partner",
    "fwb_partner",
    "outsider",
    "administrator",
    "anonymous",
]
SEES_CDM_PARTICIPANTS = {"lead", "advisor", "colleague"}
TAKES_ATTENDANCE = {"lead", "advisor", "colleague", "actiris_advisor"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def as_user(client, user_for):
    """``as_user("lead")``: a client signed in with that role, asking for English."""

    def signed_in(role: str):
        user = user_for(role)
        if user is not None:
            sign_in(client, user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return signed_in


@pytest.fixture
def co_run(cohort, intensive, enrol, actiris_case, cdm_case, fwb):
    """Mélodie Vandersmissen and two other CDM participants, Yusuf Achterberg of
    Actiris, and a walk-in; the third session is organised by the FWB."""
    cdm = [EnrolmentFactory(cohort=cohort, case_file=cdm_case), *enrol(2)]
    actiris = EnrolmentFactory(cohort=cohort, case_file=actiris_case)
    Session.objects.filter(pk=intensive[2].pk).update(organiser=fwb)
    AttendanceFactory(session=intensive[2], case_file=cdm_case)
    AttendanceFactory(session=intensive[2], case_file=actiris_case)
    WalkInFactory(session=intensive[2], first_name="Anouchka")
    return cdm, actiris


def db_state() -> dict:
    return {
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "attendance": list(Attendance.objects.order_by("pk").values()),
        "walk_ins": list(WalkIn.objects.order_by("pk").values()),
        "cohorts": list(Cohort.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


# --- who sees what ---


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["cohort", "register"])
def test_each_role_sees_only_the_participants_it_may_see(
    as_user, role, page, cohort, intensive, co_run
):
    url = (
        reverse("programmes:cohort_detail", args=[cohort.pk])
        if page == "cohort"
        else reverse("programmes:session_register", args=[intensive[2].pk])
    )
    response = as_user(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role == "administrator":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = text(response)
    assert ("Vandersmissen" in body) == (role in SEES_CDM_PARTICIPANTS)
    assert ("Achterberg" in body) == (role == "actiris_advisor")
    # How many others there are is told to the organisation in charge only.
    assert ("1 other participant" in body) == (role in SEES_CDM_PARTICIPANTS)
    assert ("other participants" in body) is False or role in SEES_CDM_PARTICIPANTS
    if page == "register":
        assert ("Anouchka" in body) == (role in SEES_CDM_PARTICIPANTS)
        assert ('name="all_present"' in body) == (role in TAKES_ATTENDANCE)


def test_a_partner_sees_a_shared_participant_in_a_co_run_register(
    as_user, cohort, intensive, co_run, advisor, fwb_partner
):
    cdm, _actiris = co_run
    share(cdm[0].case_file, owner=advisor, partner_user=fwb_partner)
    body = text(
        as_user("fwb_partner").get(
            reverse("programmes:session_register", args=[intensive[2].pk])
        )
    )
    assert "Vandersmissen" in body
    others = [str(e.case_file.young_person.last_name) for e in cdm[1:]]
    assert not [name for name in others + ["Achterberg"] if name in body]
    assert "other participant" not in body
    assert 'name="all_present"' not in body  # partner staff read, they do not mark


@pytest.mark.parametrize("role", ["actiris_advisor", "partner", "fwb_partner"])
def test_other_organisations_do_not_learn_how_many_others_there_are(
    as_user, role, cohort, co_run
):
    client = as_user(role)
    cohort_page = text(
        client.get(reverse("programmes:cohort_detail", args=[cohort.pk]))
    )
    assert "places left" not in cohort_page and "place left" not in cohort_page
    listing = text(client.get(reverse("programmes:programme_list")))
    assert "4 / 11" not in listing
    assert "4 / 11" in text(
        as_user("advisor").get(reverse("programmes:programme_list"))
    )


def test_another_organisation_enrols_and_is_offered_the_waiting_list_when_full(
    as_user, cohort, enrol, actiris_case
):
    enrol(11)
    url = reverse("programmes:case_enrol", args=[actiris_case.pk])
    client = as_user("actiris_advisor")
    page = text(client.get(url))
    assert "places left" not in page and "The cohort is full" not in page
    response = client.post(url, {"cohort": cohort.pk})
    assert "is full. You can put" in " ".join(flashes(response))
    assert "Put on the waiting list" in text(response)
    client.post(url, {"cohort": cohort.pk, "waiting_list": "1"})
    assert Enrolment.objects.get(case_file=actiris_case).status == "waiting"


@pytest.mark.parametrize("role", ["partner", "fwb_partner", "outsider"])
def test_who_may_not_mark_changes_nothing(as_user, role, intensive, co_run):
    cdm, _actiris = co_run
    before = db_state()
    response = as_user(role).post(
        reverse("programmes:session_register", args=[intensive[0].pk]),
        {f"status_{cdm[1].case_file_id}": "absent", "all_present": "1"},
    )
    assert response.status_code == 403
    response = as_user(role).post(
        reverse("programmes:walk_in_create", args=[intensive[0].pk]),
        {"first_name": "X", "age_band": "18-24", "gender": "male", "commune": "21001"},
    )
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize(
    "role", ["colleague", "actiris_advisor", "partner", "fwb_partner", "outsider"]
)
def test_withdrawing_someone_else_s_participant_is_refused(
    as_user, role, cohort, co_run
):
    cdm, _actiris = co_run
    before = db_state()
    url = reverse("programmes:enrolment_withdraw", args=[cdm[0].pk])
    response = as_user(role).post(
        url, {"withdrawn_on": timezone.localdate().isoformat(), "reason": "job"}
    )
    # The colleague is of the same organisation: she may.
    if role == "colleague":
        assert response.status_code == 302
        return
    assert response.status_code == 404  # they cannot see the case file at all
    assert db_state() == before


def test_a_partner_who_sees_a_shared_file_still_cannot_withdraw_it(
    as_user, cohort, co_run, advisor, fwb_partner
):
    cdm, _actiris = co_run
    share(cdm[0].case_file, owner=advisor, partner_user=fwb_partner)
    before = db_state()
    response = as_user("fwb_partner").post(
        reverse("programmes:enrolment_withdraw", args=[cdm[0].pk]),
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": "job"},
    )
    assert response.status_code == 403
    assert db_state() == before


def test_a_walk_in_of_another_organisation_answers_404(
    as_user, intensive, outsider, advisor
):
    walk_in = WalkInFactory(session=intensive[0])
    response = as_user("outsider").get(
        reverse("programmes:walk_in_convert", args=[walk_in.pk])
    )
    assert response.status_code == 404


# --- the register ---


def register_url(session) -> str:
    return reverse("programmes:session_register", args=[session.pk])


def test_all_present_keeps_the_exceptions_and_saves(as_user, cohort, intensive, enrol):
    enrolments = enrol(11)
    absent = enrolments[4].case_file_id
    response = as_user("advisor").post(
        register_url(intensive[0]), {f"status_{absent}": "absent", "all_present": "1"}
    )
    assert response.status_code == 302
    statuses = dict(
        Attendance.objects.filter(session=intensive[0]).values_list(
            "case_file_id", "status"
        )
    )
    assert statuses.pop(absent) == "absent"
    assert set(statuses.values()) == {"present"} and len(statuses) == 10
    assert flashes(response) == ["Attendance saved: 11 recorded, 0 changed."]


def test_save_records_only_what_was_ticked(as_user, intensive, enrol):
    first, second = enrol(2)
    as_user("advisor").post(
        register_url(intensive[0]),
        {f"status_{first.case_file_id}": "late", "save": ""},
    )
    assert list(
        Attendance.objects.values_list("case_file_id", "status", "presence")
    ) == [(first.case_file_id, "late", "on_site")]


def test_a_hybrid_session_asks_on_site_or_online(as_user, intensive, enrol):
    (enrolment,) = enrol(1)
    Session.objects.filter(pk=intensive[0].pk).update(
        mode="hybrid", link="https://meet.example.org/uppercut"
    )
    page = text(as_user("advisor").get(register_url(intensive[0])))
    assert f'name="presence_{enrolment.case_file_id}"' in page
    as_user("advisor").post(
        register_url(intensive[0]),
        {
            f"status_{enrolment.case_file_id}": "present",
            f"presence_{enrolment.case_file_id}": "online",
        },
    )
    assert Attendance.objects.get().presence == "online"


def checked(body: str, name: str, value: str) -> bool:
    return bool(
        re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', body)
    )


def test_a_stale_register_keeps_the_choices_and_says_what_changed(
    as_user, intensive, enrol, colleague, client
):
    first, second = enrol(2)
    pk, other = first.case_file_id, second.case_file_id
    advisor_view = as_user("advisor")
    assert f'name="version_{pk}" value="0"' in text(
        advisor_view.get(register_url(intensive[0]))
    )
    # Karim marks both present in the meantime.
    for enrolment in (first, second):
        AttendanceFactory(
            session=intensive[0], case_file=enrolment.case_file, updated_by=colleague
        )
    response = advisor_view.post(
        register_url(intensive[0]), {f"status_{pk}": "absent", f"version_{pk}": "0"}
    )
    assert response.status_code == 200
    body = text(response)
    assert "Changed by someone else since you opened this register" in body
    assert "now “Present”, saved by Karim El Idrissi" in body
    assert "your choice, “Absent”, is kept below" in body
    assert checked(body, f"status_{pk}", "absent")  # hers, kept
    assert checked(body, f"status_{other}", "present")  # his, shown
    assert f'name="version_{pk}" value="1"' in body
    assert Attendance.objects.get(case_file=first.case_file).status == "present"
    # Saving again keeps her choice, on purpose.
    advisor_view.post(
        register_url(intensive[0]), {f"status_{pk}": "absent", f"version_{pk}": "1"}
    )
    assert Attendance.objects.get(case_file=first.case_file).status == "absent"


@pytest.mark.parametrize("count", [3, 12])
def test_register_queries_do_not_grow_with_participants(
    as_user, intensive, enrol, count, django_assert_num_queries
):
    enrolments = enrol(count)
    for enrolment in enrolments:
        AttendanceFactory(session=intensive[0], case_file=enrolment.case_file)
    WalkInFactory.create_batch(2, session=intensive[0])
    client = as_user("advisor")
    # Session, user, second-factor device, the user's organisation in the header;
    # then the session, the visible participants, their attendance, the count of
    # the others, the walk-ins and the walk-in form's lists (gender as radio
    # buttons, none ticked: its choices read once); the session's save.
    with django_assert_num_queries(14):
        assert client.get(register_url(intensive[0])).status_code == 200


@pytest.mark.parametrize("count", [3, 12])
def test_cohort_page_queries_do_not_grow_with_participants(
    as_user, cohort, intensive, enrol, count, django_assert_num_queries
):
    enrolments = enrol(count)
    for enrolment in enrolments:
        for session in intensive[:3]:
            AttendanceFactory(session=session, case_file=enrolment.case_file)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITING)
    client = as_user("advisor")
    # 16, one for the distance travelled that outcomes shows on the page, and one
    # for the participants of the registers the user may see, which the sessions'
    # counts then keep (the cohort's counts, withdrawn included, come with the
    # cohort, and its completion rule with the programme's phases: no query of
    # their own).
    with django_assert_num_queries(18):
        response = client.get(reverse("programmes:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 200


# --- enrolment ---


def test_bulk_enrolment_enrols_puts_on_the_waiting_list_and_explains_refusals(
    as_user, cohort, enrol, advisor, uppercut
):
    enrol(10)
    chosen = [
        EligibleCaseFileFactory(
            programme=uppercut,
            advisor=advisor,
            young_person__first_name=first,
            young_person__last_name=last,
        )
        for first, last in [("Amir", "Benali"), ("Lucie", "Claessens")]
    ]
    url = reverse("programmes:cohort_enrol", args=[cohort.pk])
    page = text(as_user("advisor").get(url))
    assert "Benali, Amir" in page and "Claessens, Lucie" in page
    response = as_user("advisor").post(
        url, {"case_files": [c.pk for c in chosen]}, follow=True
    )
    statuses = dict(
        Enrolment.objects.filter(case_file__in=chosen).values_list(
            "case_file__young_person__last_name", "status"
        )
    )
    assert statuses == {"Benali": "enrolled", "Claessens": "waiting"}
    body = text(response)
    assert "1 young person enrolled: Amir Benali." in body
    assert "put on the waiting list: Lucie Claessens." in body
    assert "Waiting list" in body and "no. 1" in body


def test_a_refused_candidate_is_listed_with_why(as_user, cohort, advisor, uppercut):
    EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        employment_status="employed",
        registered_at_actiris=False,
        young_person__last_name="Wouters",
    )
    page = text(
        as_user("advisor").get(reverse("programmes:cohort_enrol", args=[cohort.pk]))
    )
    assert "1 case file cannot join: why" in page
    assert "matches none of the profiles" in page


def test_enrolling_from_the_case_file_offers_the_waiting_list(
    as_user, cohort, enrol, cdm_case
):
    enrol(11)
    url = reverse("programmes:case_enrol", args=[cdm_case.pk])
    page = text(as_user("advisor").get(url))
    assert "The cohort is full" in page and "Put on the waiting list" in page
    response = as_user("advisor").post(
        url, {"cohort": cohort.pk, "waiting_list": "1"}, follow=True
    )
    assert Enrolment.objects.get(case_file=cdm_case).status == "waiting"
    body = text(response)
    assert "is on the waiting list of “Uppercut — printemps”" in body
    assert "Waiting list, no. 1" in body  # the case file's Enrolments section


def test_enrolling_into_a_full_cohort_without_accepting_the_waiting_list(
    as_user, cohort, enrol, cdm_case
):
    enrol(11)
    response = as_user("advisor").post(
        reverse("programmes:case_enrol", args=[cdm_case.pk]), {"cohort": cohort.pk}
    )
    assert response.status_code == 200
    assert "is full. You can put" in " ".join(flashes(response))
    assert not Enrolment.objects.filter(case_file=cdm_case).exists()


def test_a_withdrawal_says_who_moved_in(as_user, cohort, enrol, advisor, today):
    enrolled = enrol(11)
    waiting = EnrolmentFactory(
        cohort=cohort,
        status=Enrolment.Status.WAITING,
        case_file__advisor=advisor,
        case_file__young_person__first_name="Jonas",
        case_file__young_person__last_name="Willems",
    )
    response = as_user("advisor").post(
        reverse("programmes:enrolment_withdraw", args=[enrolled[0].pk]),
        {"withdrawn_on": today.isoformat(), "reason": "training", "comment": ""},
        follow=True,
    )
    body = text(response)
    assert "Jonas Willems moved in from the waiting list." in body
    assert "from the waiting list" in body
    assert Enrolment.objects.get(pk=waiting.pk).status == "enrolled"


def test_the_completion_shows_on_the_cohort_page(as_user, cohort, intensive, enrol):
    completes, misses = enrol(2)
    for enrolment, attended in ((completes, 8), (misses, 7)):
        for index, session in enumerate(intensive):
            AttendanceFactory(
                session=session,
                case_file=enrolment.case_file,
                status="present" if index < attended else "absent",
            )
    body = text(
        as_user("advisor").get(reverse("programmes:cohort_detail", args=[cohort.pk]))
    )
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)

    def row_of(enrolment):
        name = str(enrolment.case_file.young_person)
        return next(r for r in rows if name in r)

    assert "Completed" in row_of(completes) and "80 %" in row_of(completes)
    assert "Not completed" in row_of(misses) and "70 %" in row_of(misses)
    assert re.search(r"<strong>1</strong>\s*completed", body)


# --- sheets ---


def test_the_pdf_sheet_lists_only_who_the_user_may_see(as_user, intensive, co_run):
    response = as_user("actiris_advisor").get(
        reverse("programmes:session_pdf", args=[intensive[2].pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", object_type="programmes.session")
    content = pdf_text(response.content)
    assert "Attendance sheet" in content and "Achterberg" in content
    assert "Vandersmissen" not in content and "Anouchka" not in content


def test_the_csv_sheet_neutralises_formulas(as_user, intensive, enrol):
    (enrolment,) = enrol(1, case_file__young_person__last_name="=HYPERLINK(1)")
    AttendanceFactory(session=intensive[0], case_file=enrolment.case_file)
    response = as_user("advisor").get(
        reverse("programmes:session_csv", args=[intensive[0].pk])
    )
    body = response.content.decode()
    assert "'=HYPERLINK(1)" in body and ",Present," in body


def test_the_cohort_csv_has_a_column_per_session(as_user, cohort, intensive, enrol):
    (enrolment,) = enrol(1)
    AttendanceFactory(session=intensive[0], case_file=enrolment.case_file)
    response = as_user("advisor").get(
        reverse("programmes:cohort_attendance_csv", args=[cohort.pk])
    )
    header, line = response.content.decode().splitlines()[:2]
    assert header.count(",") == 4 + len(intensive) + 2
    assert line.split(",")[4] == "Present"


# --- lead's pages ---


def test_the_lead_creates_a_cohort_and_a_fortnight_of_sessions(
    as_user, uppercut, advisor, actiris, today
):
    client = as_user("lead")
    response = client.post(
        reverse("programmes:cohort_create", args=[uppercut.pk]),
        {
            "name": "Uppercut — automne",
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=90)).isoformat(),
            "capacity": "11",
            "advisors": [advisor.pk],
            "partners": [actiris.pk],
        },
    )
    cohort = Cohort.objects.get(name="Uppercut — automne")
    assert response.url == reverse("programmes:cohort_detail", args=[cohort.pk])
    assert cohort.owner_organisation.code == "cdm"
    monday = weekdays(today + datetime.timedelta(days=7 - today.weekday()), 1)[0]
    phase = uppercut.phases.get(counts_for_completion=True)
    response = client.post(
        reverse("programmes:session_create", args=[cohort.pk]),
        {
            "activity_type": phase.activity_types.first().pk,
            "title": "",
            "phase": phase.pk,
            "theme": "learn",
            "language": "fr",
            "mode": "in_person",
            "organiser": cohort.owner_organisation_id,
            "place": "Cité des métiers",
            "link": "",
            "capacity": "",
            "day": monday.isoformat(),
            "start_time": "09:30",
            "end_time": "12:30",
            "repeat_until": (monday + datetime.timedelta(days=11)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert cohort.sessions.count() == 10
    assert "10 sessions scheduled." in flashes(response)


@pytest.mark.parametrize("role", ["advisor", "actiris_advisor", "partner"])
def test_only_leads_create_cohorts(as_user, role, uppercut):
    response = as_user(role).get(
        reverse("programmes:cohort_create", args=[uppercut.pk])
    )
    assert response.status_code == 403


def test_the_programme_is_edited_by_its_leads(as_user, lead, uppercut):
    url = reverse("programmes:programme_edit", args=[uppercut.pk])
    assert as_user("lead").get(url).status_code == 403
    lead.programmes_led.add(uppercut)
    response = as_user("lead").post(
        url,
        {
            "description_fr": uppercut.description_fr,
            "description_nl": uppercut.description_nl,
            "description_en": uppercut.description_en,
            "min_age": "18",
            "max_age": "29",
            "target_profiles": ["neet", "job_seeker"],
            "funders": [],
            "completion_min_rate": "75",
        },
    )
    assert response.status_code == 302
    uppercut.refresh_from_db()
    assert (uppercut.completion_min_rate, uppercut.target_profiles) == (
        75,
        ["neet", "job_seeker"],
    )
    event = AuditEvent.objects.get(object_type="youthtrack.programme")
    assert event.changes["completion_min_rate"] == [80, 75]


# --- walk-ins, calendar, case page ---


def test_a_walk_in_is_recorded_then_linked_to_a_case_file(
    as_user, intensive, enrol, cohort
):
    (enrolment,) = enrol(1, case_file__young_person__first_name="Inès")
    client = as_user("advisor")
    client.post(
        reverse("programmes:walk_in_create", args=[intensive[0].pk]),
        {
            "first_name": "Inès",
            "age_band": "18-24",
            "gender": "female",
            "commune": "21015",
            "presence": "on_site",
        },
    )
    walk_in = WalkIn.objects.get()
    url = reverse("programmes:walk_in_convert", args=[walk_in.pk])
    page = text(client.get(url))
    assert reverse("programmes:walk_in_intake", args=[walk_in.pk]) in page
    assert str(enrolment.case_file.young_person) in page
    response = client.post(url, {"case_file": enrolment.case_file_id})
    assert response.status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.converted_case_file_id == enrolment.case_file_id
    assert Attendance.objects.get().case_file_id == enrolment.case_file_id


def test_the_calendar_filters_by_theme_and_language(as_user, cohort, intensive):
    day = timezone.localtime(intensive[0].starts_at).date()
    Session.objects.filter(pk=intensive[0].pk).update(
        theme="move", language="nl", title="Mobiliteit"
    )
    client = as_user("partner")
    url = reverse("programmes:calendar")
    week = text(client.get(url, {"day": day.isoformat()}))
    assert "Mobiliteit" in week
    filtered = text(
        client.get(url, {"day": day.isoformat(), "theme": "move", "language": "fr"})
    )
    assert "Mobiliteit" not in filtered and "0 sessions" in filtered
    month = text(
        client.get(
            url,
            {
                "day": day.isoformat(),
                "view": "month",
                "theme": "move",
                "language": "nl",
            },
        )
    )
    assert "Mobiliteit" in month and "1 session" in month


def test_the_case_page_shows_its_enrolments(as_user, cohort, intensive, enrol):
    (enrolment,) = enrol(1)
    for index, session in enumerate(intensive):
        AttendanceFactory(
            session=session,
            case_file=enrolment.case_file,
            status="present" if index < 9 else "absent",
        )
    body = text(
        as_user("advisor").get(reverse("case_detail", args=[enrolment.case_file_id]))
    )
    assert "Enrolments" in body and "Uppercut — printemps" in body
    assert "90 %" in body and "Completed" in body


def test_walk_in_commune_fixture_exists():
    assert reference.commune("21015").postcode == "1030"


def test_sessions_are_placed_in_local_time(cohort):
    assert timezone.localtime(at(cohort.start_date)).hour == 9


def test_the_intake_of_a_walk_in_is_prefilled_and_links_it(
    as_user, intensive, uppercut, today
):
    walk_in = WalkInFactory(
        session=intensive[0],
        first_name="Inès",
        gender=reference.gender("female"),
        commune=reference.commune("21015"),
    )
    client = as_user("advisor")
    url = reverse("programmes:walk_in_intake", args=[walk_in.pk])
    page = text(client.get(url))
    assert re.search(r'name="person-first_name"[^>]*value="Inès"', page)
    response = client.post(
        url,
        {
            "person-first_name": "Inès",
            "person-last_name": "Benali",
            "person-birth_date": (
                today - datetime.timedelta(days=365 * 20)
            ).isoformat(),
            "person-gender": "female",
            "person-commune": "21015",
            "person-citizenship": "be",
            "case-programme": uppercut.pk,
            "case-advisor": "",
            "case-entry_date": today.isoformat(),
            "case-employment_status": "unemployed",
            "case-education": "none",
            "case-highest_diploma": "cess",
            "case-registered_at_actiris": "on",
            "case-disability": "no",
            "case-foreign_background": "no",
            "case-minority": "no",
            "case-homeless": "no",
            "case-referral": "own",
            # The intake's consent step, as for any other intake.
            "consent-keep": "given",
            "consent-given_by": "self",
            "consent-given_on": today.isoformat(),
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    walk_in.refresh_from_db()
    case_file = walk_in.converted_case_file
    assert case_file.young_person.last_name == "Benali"
    (consent,) = case_file.consents.all()
    assert (consent.purpose, consent.given_by, consent.given_on) == (
        "processing",
        "self",
        today,
    )


def test_a_session_edited_by_the_lead_is_audited(as_user, intensive, fwb):
    session = intensive[0]
    url = reverse("programmes:session_edit", args=[session.pk])
    assert as_user("advisor").get(url).status_code == 403
    client = as_user("lead")
    start = timezone.localtime(session.starts_at)
    response = client.post(
        url,
        {
            "activity_type": session.activity_type_id,
            "title": "Visite chez un traiteur",
            "phase": session.phase_id,
            "theme": "undertake",
            "language": "bilingual",
            "mode": "in_person",
            "organiser": fwb.pk,
            "place": "Rue de la Loi 1",
            "link": "",
            "capacity": "12",
            "day": start.date().isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.theme, session.organiser, session.capacity) == (
        "undertake",
        fwb,
        12,
    )
    assert timezone.localtime(session.starts_at).time() == datetime.time(10, 0)
    event = AuditEvent.objects.get(object_type="programmes.session", action="update")
    assert event.changes["theme"] == ["work", "undertake"]
