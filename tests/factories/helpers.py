"""What an advisor types at an intake, as the services take it and as a browser posts
it. Defaults pass every rule; tests change the one value they are about."""

import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from youthtrack.models import (
    CaseFile,
    Commune,
    Diploma,
    Gender,
    Programme,
    YoungPerson,
)


def years_ago(years: int, today: datetime.date | None = None) -> datetime.date:
    """The same day ``years`` years before today (28 February for 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def person_data(**overrides: Any) -> dict[str, Any]:
    """A young person of 20 (and 100 days), as ``case_file_intake`` takes them."""
    data: dict[str, Any] = {
        "first_name": "Léa",
        "last_name": "Dubois",
        "birth_date": years_ago(20) - datetime.timedelta(days=100),
        "gender": Gender.objects.get(code="female"),
        "commune": Commune.objects.get(code="21015"),
        "phone": "0478 55 66 77",
        "email": "lea.dubois@example.org",
        "speaks_french": True,
        "speaks_dutch": False,
        "other_languages": "",
        "citizenship": YoungPerson.Citizenship.BELGIAN,
    }
    data.update(overrides)
    return data


def case_data(**overrides: Any) -> dict[str, Any]:
    """A job seeker entering Touch'N'Go today, as ``case_file_intake`` takes it."""
    data: dict[str, Any] = {
        "programme": Programme.objects.get(code="touchngo"),
        "entry_date": timezone.localdate(),
        "next_follow_up_on": None,
        "employment_status": CaseFile.EmploymentStatus.UNEMPLOYED,
        "unemployed_since": None,
        "education": CaseFile.Education.NONE,
        "highest_diploma": Diploma.objects.get(code="cess"),
        "registered_at_actiris": True,
        "disability": "no",
        "foreign_background": "declined",
        "minority": "declined",
        "homeless": "no",
        "first_visit": True,
        "referral": CaseFile.Referral.OWN_INITIATIVE,
        "referred_by": "",
    }
    data.update(overrides)
    return data


def as_post(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """The same values as a browser posts them (a box left unticked is not sent)."""
    posted: dict[str, str] = {}
    for name, value in data.items():
        key = f"{prefix}-{name}" if prefix else name
        if value is True:
            posted[key] = "on"
        elif value is False:
            continue
        elif value is None:
            posted[key] = ""
        elif isinstance(value, models.Model):
            posted[key] = str(value.pk)
        elif isinstance(value, datetime.date):
            posted[key] = value.isoformat()
        else:
            posted[key] = str(value)
    return posted


def intake_post(
    person: dict[str, Any] | None = None,
    case: dict[str, Any] | None = None,
    consent: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The intake form as posted: the young person's fields, the case file's and the
    consent step's (by default, consent to keep the file "not yet" given)."""
    return {
        **as_post(person_data(**(person or {})), "person"),
        **as_post(case_data(**(case or {})), "case"),
        **as_post({"keep": "later", **(consent or {})}, "consent"),
    }
