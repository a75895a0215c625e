"""Distance travelled and the action plan: recording, correcting, showing, who may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from outcomes.models import Assessment, Goal
from outcomes.progress import selectors, services
from programmes.models import Enrolment
from tests.factories import reference as ref
from tests.factories.programmes import CohortFactory
from tests.youthtrack.sharing_helpers import (
    make_case,
    make_user,
    org,
    share_case,
    signed_in,
)
from youthtrack.models import AuditEvent, Share, User

pytestmark = pytest.mark.django_db

SCORES = {
    "confidence": 3,
    "project_clarity": 2,
    "job_search": 4,
    "digital": 6,
    "mobility": 5,
    "languages": 7,
}


def _today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def advisor():
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def case(advisor):
    case = make_case(
        advisor=advisor,
        first_name="Inès",
        last_name="Progrès",
        phone="0470 11 22 33",
        email="ines.p@example.net",
        programme="uppercut",
    )
    case.entry_date = _today() - datetime.timedelta(days=60)
    case.save()
    return case


def _post(scores=None, **extra):
    data = {"assessed_on": _today().isoformat(), **(scores or SCORES)}
    data.update(extra)
    return {key: str(value) for key, value in data.items()}


def _client(user, language="en"):
    return signed_in(user, HTTP_ACCEPT_LANGUAGE=language)


def _url(case, moment="entry"):
    return reverse("outcomes:assessment_edit", args=[case.pk, moment])


# --- services --------------------------------------------------------------------


def test_an_assessment_is_recorded_once_per_moment_and_audited(case, advisor):
    assessment = services.assessment_record(
        case_file=case,
        moment=Assessment.Moment.ENTRY,
        acting_user=advisor,
        data={"assessed_on": _today(), **SCORES},
    )
    event = AuditEvent.objects.get(
        object_type="outcomes.assessment", object_id=assessment.pk
    )
    assert (event.action, event.case_file_id) == (AuditEvent.Action.CREATE, case.pk)
    with pytest.raises(ValidationError):
        services.assessment_record(
            case_file=case,
            moment=Assessment.Moment.ENTRY,
            acting_user=advisor,
            data={"assessed_on": _today(), **SCORES},
        )
    assert case.assessments.count() == 1


@pytest.mark.parametrize("score", [0, 11])
def test_the_service_refuses_a_score_out_of_range(case, advisor, score):
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            case_file=case,
            moment=Assessment.Moment.ENTRY,
            acting_user=advisor,
            data={"assessed_on": _today(), **{**SCORES, "mobility": score}},
        )
    assert "mobility" in refused.value.message_dict
    assert not case.assessments.exists()


def test_a_correction_is_audited_and_a_stale_one_refused(case, advisor):
    assessment = services.assessment_record(
        case_file=case,
        moment=Assessment.Moment.ENTRY,
        acting_user=advisor,
        data={"assessed_on": _today(), **SCORES},
    )
    services.assessment_update(
        assessment=assessment,
        acting_user=advisor,
        data={"confidence": 4},
        expected_version=1,
    )
    event = AuditEvent.objects.filter(
        object_type="outcomes.assessment", action=AuditEvent.Action.UPDATE
    ).get()
    assert event.changes == {"confidence": [3, 4]}
    from youthtrack.services import StaleEditError

    with pytest.raises(StaleEditError):
        services.assessment_update(
            assessment=assessment,
            acting_user=advisor,
            data={"confidence": 9},
            expected_version=1,
        )
    assessment.refresh_from_db()
    assert assessment.confidence == 4


def test_partners_record_only_with_the_outcomes_scope(case, advisor):
    outcomes_partner = make_user("vdab", org_code="vdab", role=User.Role.PARTNER)
    notes_partner = make_user(
        "bf", org_code="bruxelles-formation", role=User.Role.PARTNER
    )
    share_case(
        case, owner=advisor, partner_user=outcomes_partner, scope=Share.Scope.OUTCOMES
    )
    share_case(case, owner=advisor, partner_user=notes_partner, scope=Share.Scope.NOTES)
    fresh = User.objects.select_related("organisation")
    with pytest.raises(PermissionDenied):
        services.goal_create(
            case_file=case,
            acting_user=fresh.get(pk=notes_partner.pk),
            data={"text": "Trouver une formation", "target_date": _today()},
        )
    goal = services.goal_create(
        case_file=case,
        acting_user=fresh.get(pk=outcomes_partner.pk),
        data={"text": "Trouver une formation", "target_date": _today()},
    )
    assert goal.created_by == outcomes_partner


def test_a_goal_is_reviewed_with_a_date_and_a_note(case, advisor):
    goal = services.goal_create(
        case_file=case,
        acting_user=advisor,
        data={"text": "Passer le permis B", "target_date": _today()},
    )
    with pytest.raises(ValidationError) as refused:
        services.goal_update(
            goal=goal,
            acting_user=advisor,
            data={"review_note": "Théorie réussie", "reviewed_on": None},
            expected_version=1,
        )
    assert "reviewed_on" in refused.value.message_dict
    services.goal_update(
        goal=goal,
        acting_user=advisor,
        data={
            "status": Goal.Status.ACHIEVED,
            "reviewed_on": _today(),
            "review_note": "Permis obtenu",
        },
        expected_version=1,
    )
    goal.refresh_from_db()
    assert (goal.status, goal.version) == (Goal.Status.ACHIEVED, 2)
    assert AuditEvent.objects.filter(
        object_type="outcomes.goal", object_id=goal.pk, action=AuditEvent.Action.UPDATE
    ).exists()


# --- views -------------------------------------------------------------------------


def test_the_advisor_takes_three_assessments_and_the_chart_shows_three_points(
    case, advisor
):
    client = _client(advisor)
    for moment, confidence in (("entry", 3), ("intensive_end", 6), ("exit", 8)):
        response = client.post(
            _url(case, moment), _post({**SCORES, "confidence": confidence})
        )
        assert response.status_code == 302
    page = client.get(reverse("case_detail", args=[case.pk]))
    html = page.content.decode()
    assert html.count('class="chart__point"') == 3 * len(SCORES)
    assert "<polyline" in html
    # The table alternative gives the self-confidence line: 3, 6, 8.
    table = html[html.index("<table") :]
    row = table[table.index("Self-confidence") :]
    cells = [row.split("<td>")[i].split("</td>")[0].strip() for i in (1, 2, 3)]
    assert cells == ["3", "6", "8"]


def test_a_score_of_0_or_11_is_refused_beside_its_field_and_the_typing_kept(
    case, advisor
):
    client = _client(advisor)
    response = client.post(_url(case), _post({**SCORES, "digital": 0, "mobility": 11}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "digital": ["Give a score from 1 to 10."],
        "mobility": ["Give a score from 1 to 10."],
    }
    html = response.content.decode()
    assert 'id="id_digital_error"' in html and 'id="id_mobility_error"' in html
    assert 'name="languages" value="7"' in html
    assert not case.assessments.exists()


def test_the_assessment_form_in_french_names_the_scales(case, advisor):
    client = _client(advisor, "fr")
    html = client.get(_url(case)).content.decode()
    assert "Confiance en soi" in html


def test_a_stale_correction_shows_what_changed_and_keeps_the_typing(case, advisor):
    client = _client(advisor)
    client.post(_url(case), _post())
    assessment = case.assessments.get()
    colleague = make_user("karim", org_code="cdm")
    services.assessment_update(
        assessment=assessment,
        acting_user=colleague,
        data={"digital": 9},
        expected_version=1,
    )
    response = client.post(_url(case), _post({**SCORES, "languages": 2}, version=1))
    assert response.status_code == 200
    assert response.context["form"].stale_changes
    assessment.refresh_from_db()
    assert (assessment.digital, assessment.languages) == (9, 7)


def test_an_unknown_moment_is_not_found(case, advisor):
    assert signed_in(advisor).get(_url(case, "later")).status_code == 404


def test_goals_are_added_and_reviewed_from_the_case_page(case, advisor):
    client = _client(advisor)
    target = (_today() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        reverse("outcomes:goal_create", args=[case.pk]),
        {"text": "S'inscrire chez Bruxelles Formation", "target_date": target},
    )
    assert response.status_code == 302
    goal = case.goals.get()
    response = client.post(
        reverse("outcomes:goal_edit", args=[case.pk, goal.pk]),
        {
            "text": goal.text,
            "target_date": target,
            "status": "achieved",
            "reviewed_on": _today().isoformat(),
            "review_note": "Inscrite en cuisine",
            "version": "1",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "S&#x27;inscrire chez Bruxelles Formation" in html
    assert "Inscrite en cuisine" in html
    assert "Achieved" in html


# --- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "scope", "status"),
    [
        ("partner", Share.Scope.OUTCOMES, 200),
        ("partner", Share.Scope.NOTES, 403),
        ("partner", Share.Scope.VIEW, 403),
        ("stranger", None, 404),
    ],
)
def test_who_may_open_the_forms(case, advisor, who, scope, status):
    if who == "partner":
        user = make_user("vdab", org_code="vdab", role=User.Role.PARTNER)
        share_case(case, owner=advisor, partner_user=user, scope=scope)
    else:
        user = make_user("other", org_code="pole-academique")
    goal = services.goal_create(
        case_file=case,
        acting_user=advisor,
        data={"text": "Objectif", "target_date": _today()},
    )
    client = signed_in(user)
    for url in (
        _url(case),
        reverse("outcomes:goal_create", args=[case.pk]),
        reverse("outcomes:goal_edit", args=[case.pk, goal.pk]),
    ):
        assert client.get(url).status_code == status, url
    response = client.post(_url(case), _post())
    assert response.status_code == (302 if status == 200 else status)
    assert case.assessments.exists() == (status == 200)


def test_a_goal_of_another_case_file_is_not_found(case, advisor):
    other = make_case(
        advisor=advisor,
        first_name="Autre",
        last_name="Dossier",
        phone="0470 99 99 99",
        email="autre@example.net",
    )
    goal = services.goal_create(
        case_file=other,
        acting_user=advisor,
        data={"text": "Objectif", "target_date": _today()},
    )
    url = reverse("outcomes:goal_edit", args=[case.pk, goal.pk])
    assert signed_in(advisor).get(url).status_code == 404


# --- the cohort summary --------------------------------------------------------------


def _assess(case, advisor, moment, **scores):
    return services.assessment_record(
        case_file=case,
        moment=moment,
        acting_user=advisor,
        data={"assessed_on": _today(), **{**SCORES, **scores}},
    )


def test_the_cohort_page_shows_the_median_change_over_the_participants_counted(
    advisor,
):
    lead = make_user("lead", org_code="cdm", role=User.Role.LEAD)
    cohort = CohortFactory(
        programme=ref.programme("uppercut"),
        owner_organisation=org("cdm"),
        created_by=lead,
    )
    changes = [(2, 8), (4, 5), (5, 9)]  # confidence entry → latest: +6, +1, +4
    for index, (entry, latest) in enumerate(changes):
        case = make_case(
            advisor=advisor,
            first_name=f"Part{index}",
            last_name="Cohorte",
            phone=f"0470 00 00 1{index}",
            email=f"p{index}@example.net",
            programme="uppercut",
        )
        Enrolment.objects.create(
            cohort=cohort,
            case_file=case,
            status=Enrolment.Status.ENROLLED,
            enrolled_at=timezone.now(),
            created_by=advisor,
        )
        _assess(case, advisor, "entry", confidence=entry)
        # The latest moment: exit for the first, the end of the intensive phase else.
        if index == 0:
            _assess(case, advisor, "intensive_end", confidence=1)
            _assess(case, advisor, "exit", confidence=latest)
        else:
            _assess(case, advisor, "intensive_end", confidence=latest)
    summary = selectors.cohort_progress(user=advisor, cohort=cohort)
    by_name = {scale.name: scale.median for scale in summary.scales}
    assert summary.counted == 3
    assert by_name["confidence"] == 4
    assert by_name["languages"] == 0
    url = reverse("programmes:cohort_detail", args=[cohort.pk])
    html = _client(advisor, "nl").get(url).content.decode()
    assert "Afgelegde weg" in html and "+4" in html
    # Another organisation's partner counts none of them.
    stranger = make_user("stranger", org_code="pole-academique")
    assert selectors.cohort_progress(user=stranger, cohort=cohort).counted == 0


def test_participants_a_partner_may_not_see_change_none_of_its_cohort_figures(
    advisor,
):
    """The partner sees one shared participant of the cohort; another organisation's
    participant, assessed, moves the figures of the organisation in charge only."""
    lead = make_user("lead", org_code="cdm", role=User.Role.LEAD)
    partner = make_user("vdab", org_code="vdab", role=User.Role.PARTNER)
    cohort = CohortFactory(
        programme=ref.programme("uppercut"),
        owner_organisation=org("cdm"),
        created_by=lead,
    )

    def participant(owner, index, entry, latest):
        case = make_case(
            advisor=owner,
            first_name=f"Vis{index}",
            last_name="Cohorte",
            phone=f"0470 00 00 2{index}",
            email=f"v{index}@example.net",
            programme="uppercut",
        )
        Enrolment.objects.create(
            cohort=cohort,
            case_file=case,
            status=Enrolment.Status.ENROLLED,
            enrolled_at=timezone.now(),
            created_by=owner,
        )
        _assess(case, owner, "entry", confidence=entry)
        _assess(case, owner, "exit", confidence=latest)
        return case

    shared = participant(advisor, 0, 2, 4)  # +2
    share_case(shared, owner=advisor, partner_user=partner, scope=Share.Scope.VIEW)
    participant(advisor, 1, 1, 9)  # +8, the CDM's only

    def confidence(user):
        fresh = User.objects.select_related("organisation").get(pk=user.pk)
        summary = selectors.cohort_progress(user=fresh, cohort=cohort)
        return summary.counted, summary.scales[0].median

    assert confidence(partner) == (1, 2)
    assert confidence(advisor) == (2, 5)
    stranger = make_user("stranger", org_code="worldskills")
    participant(stranger, 2, 5, 5)  # 0, another organisation's
    assert confidence(partner) == (1, 2)
    # The organisation in charge counts every participant of its cohort.
    assert confidence(advisor) == (3, 2)
