"""Business rules of young people and case files, reported all at once."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    CaseFile,
    YoungPerson,
    age_on,
)

Status = CaseFile.Status


def validate_young_person(person: YoungPerson) -> None:
    today = timezone.localdate()
    if person.birth_date and person.birth_date > today:
        raise ValidationError(
            {"birth_date": _("The date of birth cannot be in the future.")}
        )
    if person.birth_date and age_on(person.birth_date, today) > 120:
        raise ValidationError(
            {
                "birth_date": _(
                    "Please check the date of birth: this is over 120 years ago."
                )
            }
        )
    if person.pk:
        for case_file in person.case_files.select_related("programme"):
            age = age_on(person.birth_date, case_file.entry_date)
            if not case_file.programme.accepts_age(age):
                raise ValidationError(
                    {
                        "birth_date": _(
                            "With this date of birth, the age at entry in case file "
                            "#%(case)s (%(programme)s) would be %(age)s, outside the "
                            "programme's range of %(min)s to %(max)s."
                        )
                        % {
                            "case": case_file.pk,
                            "programme": case_file.programme,
                            "age": age,
                            "min": case_file.programme.min_age,
                            "max": case_file.programme.max_age,
                        }
                    }
                )


def validate_case_file(case_file: CaseFile) -> None:
    """Rules of the situation at entry and of the dates (funder-indicators.md)."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    person = case_file.young_person
    programme = case_file.programme
    if case_file.entry_date and case_file.entry_date > today:
        errors["entry_date"] = _("The entry date cannot be in the future.")
    if case_file.entry_date and person.birth_date:
        if case_file.entry_date < person.birth_date:
            errors["entry_date"] = _("The entry date is before the date of birth.")
        else:
            age = age_on(person.birth_date, case_file.entry_date)
            if not programme.accepts_age(age):
                errors["entry_date"] = _(
                    "Age at entry is %(age)s: %(programme)s accepts young people "
                    "aged %(min)s to %(max)s at entry."
                ) % {
                    "age": age,
                    "programme": programme,
                    "min": programme.min_age,
                    "max": programme.max_age,
                }
    if case_file.exit_date:
        if case_file.entry_date and case_file.exit_date < case_file.entry_date:
            errors["exit_date"] = _("The exit date cannot be before the entry date.")
        elif case_file.exit_date > today:
            errors["exit_date"] = _("The exit date cannot be in the future.")
    if case_file.status == Status.CLOSED and not case_file.exit_date:
        errors["exit_date"] = _("A closed case file needs an exit date.")
    if case_file.status == Status.CLOSED and not case_file.exit_reason:
        errors["exit_reason"] = _("A closed case file needs an exit reason.")
    employment = case_file.employment_status
    if case_file.unemployed_since:
        if employment != CaseFile.EmploymentStatus.UNEMPLOYED:
            errors["unemployed_since"] = _(
                "Only an unemployed person has an unemployment start date."
            )
        elif case_file.entry_date and case_file.unemployed_since > case_file.entry_date:
            errors["unemployed_since"] = _(
                "The unemployment start date cannot be after the entry date."
            )
    if (
        case_file.education == CaseFile.Education.FULL_TIME_STUDENT
        and employment != CaseFile.EmploymentStatus.INACTIVE
    ):
        errors["employment_status"] = _(
            "A full-time student counts as inactive for the funders."
        )
    if (
        case_file.registered_at_actiris
        and employment == CaseFile.EmploymentStatus.INACTIVE
    ):
        errors["employment_status"] = _(
            "A person registered as a job seeker at Actiris counts as unemployed."
        )
    if case_file.referral == CaseFile.Referral.REFERRED and not case_file.referred_by:
        errors["referred_by"] = _("Say which organisation referred them.")
    if errors:
        raise ValidationError(errors)


def _validate_all(*checks) -> None:
    """Run every check and report all their errors at once."""
    errors: dict[str, list] = {}
    for check in checks:
        if check is None:
            continue
        validate, obj = check
        try:
            validate(obj)
        except ValidationError as error:
            for field, messages in error.update_error_dict({}).items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
