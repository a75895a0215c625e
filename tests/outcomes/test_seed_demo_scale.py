"""The demo at scale (issue 9's benchmark data), shrunk: the same layout with small
offices and a small "busy" caseload, so that it builds in seconds."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from outcomes.demo import scale
from programmes.models import Attendance, Cohort, Enrolment
from youthtrack.access import case_files_visible_to
from youthtrack.models import CaseFile, Organisation, Share, User, YoungPerson
from youthtrack.services import validate_case_file

PEOPLE = 1200


@pytest.fixture
def seeded(db, monkeypatch) -> str:
    monkeypatch.setattr(scale, "SCALE_FROM", 1000)
    monkeypatch.setattr(scale, "BUSY_FROM", 1000)
    monkeypatch.setattr(scale, "BUSY_CASELOAD", 60)
    monkeypatch.setattr(scale, "CDM_COLLEAGUES", 2)
    monkeypatch.setattr(scale, "OFFICE_ADVISORS", (1, 2))
    monkeypatch.setattr(scale, "SHARE_RATE", 0.2)
    monkeypatch.setattr(
        scale,
        "DEMO_CASELOADS",
        {"advisor": 45, "advisor2": 40, "julie.dewit": 40, "lead": 40},
    )
    monkeypatch.setattr(
        scale,
        "PARTNER_CASELOADS",
        {"thomas.claes": ("actiris", 40), "ines.martin": ("bf", 40)},
    )
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=3, stdout=out)
    return out.getvalue()


def open_files(advisor: User) -> int:
    return CaseFile.objects.filter(advisor=advisor).exclude(status="closed").count()


def test_files_are_spread_over_offices_with_realistic_caseloads(seeded):
    assert YoungPerson.objects.count() == PEOPLE
    offices = sorted(
        Organisation.objects.filter(code__startswith="antenne-0").values_list(
            "code", flat=True
        )
    )
    assert len(offices) >= 3
    # The last office is cut short when the people run out; the others are full.
    for advisor in User.objects.filter(organisation__code__in=offices[:-1]):
        assert scale.CASELOAD[0] <= open_files(advisor) <= scale.CASELOAD[1]
    assert open_files(User.objects.get(username="advisor")) == 45
    # The pathological advisor keeps every one of their files.
    assert open_files(User.objects.get(username=scale.BUSY_USERNAME)) == 60
    for case_file in CaseFile.objects.select_related("young_person", "programme"):
        validate_case_file(case_file)
    programmes = CaseFile.objects.values("programme").distinct().count()
    assert programmes > 3
    oldest = CaseFile.objects.order_by("entry_date").first().entry_date
    assert oldest < timezone.localdate() - datetime.timedelta(days=730)


def test_the_demo_logins_see_the_cdm_not_the_generated_offices(seeded):
    lead = User.objects.get(username="lead")
    visible = case_files_visible_to(lead)
    assert not visible.filter(owner_organisation__code__startswith="antenne").exists()
    partner = User.objects.get(username="partner")
    assert (
        case_files_visible_to(partner).count()
        == Share.objects.filter(
            partner__code="actiris", status=Share.Status.ACCEPTED
        ).count()
    )


def test_offices_refer_files_their_partner_sees_and_run_cohorts(seeded):
    staff = User.objects.get(username="partenaire-001.staff")
    referred = Share.objects.filter(partner=staff.organisation)
    assert referred.exists()
    assert set(case_files_visible_to(staff).values_list("pk", flat=True)) == set(
        referred.values_list("case_file_id", flat=True)
    )
    past = Cohort.objects.filter(end_date__lt=timezone.localdate())
    assert past.filter(owner_organisation__code__startswith="antenne").exists()
    assert Enrolment.objects.filter(cohort__in=past).exists()
    assert Attendance.objects.filter(session__cohort__in=past).exists()
