"""Validation and import of past records (docs/import.md).

``run_import`` reads the file, checks every row of every sheet and reports every
problem (sheet, line, column, reason, in the active language). Only a file without a
problem is written, in one transaction; a dry run writes it too, inside a
transaction rolled back at the end, so that it counts exactly what the import would
create. Importing the same file again changes nothing: people are found by their
``ref`` (``ImportReference``), participations by person and operation, outcomes by
participation, type and date, follow-ups by participation and kind."""

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youthtrack.audit import record_audit_event
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Commune,
    DeclinableAnswer,
    Diploma,
    Gender,
    Operation,
    Organisation,
    Programme,
    RuleSet,
    User,
    YoungPerson,
    normalise_name,
)
from youthtrack.selectors import young_person_possible_duplicates
from youthtrack.services.validation import validate_case_file, validate_young_person

from ..models import FollowUp, ImportReference, ImportRun, Outcome
from .reader import SHEETS, FileUnreadable, Problem, Rows, read_import_file

__all__ = ["ImportResult", "Problem", "RunTakenOver", "run_import", "SHEETS"]

# The share of the work done (0 to 1), told every PROGRESS_EVERY rows or records.
Progress = Callable[[float], None]
PROGRESS_EVERY = 250

GENDERS = {"f": "female", "m": "male", "x": "non_binary", "": "not_stated"}
EU_COUNTRIES = frozenset(
    "AT BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI "
    "SK".split()
)
EXIT_REASONS = {
    "completed": CaseFile.ExitReason.COMPLETED,
    "dropped_out": CaseFile.ExitReason.DROPPED_OUT,
    "moved_away": CaseFile.ExitReason.MOVED,
    "other": CaseFile.ExitReason.OTHER,
}
OUTCOME_TYPES = {
    "job": Outcome.Kind.JOB,
    "self_employment": Outcome.Kind.SELF_EMPLOYMENT,
    "training": Outcome.Kind.QUALIFYING_TRAINING,
    "studies": Outcome.Kind.RETURN_TO_STUDIES,
    "qualification": Outcome.Kind.QUALIFICATION,
    "job_search": Outcome.Kind.JOB_SEARCH,
    "offer": Outcome.Kind.OFFER_EMPLOYMENT,
    "internship": Outcome.Kind.INTERNSHIP,
    "apprenticeship": Outcome.Kind.APPRENTICESHIP,
    "inactive": Outcome.Kind.INACTIVE,
    "other": Outcome.Kind.OTHER,
}
YES_NO = {"yes": True, "no": False}
DECLINABLE = {"yes": "yes", "no": "no", "declined": "declined"}

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
BELGIAN_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
POSTCODE = re.compile(r"\d{4}", re.ASCII)
COUNTRY = re.compile(r"[A-Za-z]{2}", re.ASCII)


class Invalid(Exception):
    pass


# --- cells ---------------------------------------------------------------------------


def text(value: str, *, max_length: int, required: bool = False) -> str:
    if CONTROL.search(value):
        raise Invalid(_("The value contains control characters."))
    if len(value) > max_length:
        raise Invalid(
            _("The value is longer than %(max)s characters.") % {"max": max_length}
        )
    if required and not value:
        raise Invalid(_("A value is required."))
    return value


def date(value: str, *, required: bool = False) -> datetime.date | None:
    if not value:
        if required:
            raise Invalid(_("A date is required."))
        return None
    value = value[:40]
    iso = ISO_DATE.fullmatch(value.split("T")[0].split(" ")[0])
    belgian = BELGIAN_DATE.fullmatch(value)
    try:
        if iso:
            year, month, day = (int(part) for part in iso.groups())
        elif belgian:
            day, month, year = (int(part) for part in belgian.groups())
        else:
            raise ValueError
        if not 1900 <= year <= 2100:
            raise ValueError
        return datetime.date(year, month, day)
    except ValueError:
        raise Invalid(
            _("“%(value)s” is not a date: write 2021-12-31 or 31/12/2021.")
            % {"value": CONTROL.sub("", value)[:20]}
        ) from None


def choice(value: str, options: dict[str, Any], *, required: bool = True) -> Any:
    key = value.strip().lower()
    if not key and not required:
        return None
    if key not in options:
        raise Invalid(
            _("“%(value)s” is not one of: %(options)s.")
            % {
                "value": CONTROL.sub("", value)[:30],
                "options": ", ".join(option for option in options if option),
            }
        )
    return options[key]


# --- the checks ---


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    imported: bool = False
    run: ImportRun | None = None


class _Checker:
    """Checks every row, collecting the values to write and the problems."""

    def __init__(self, organisation: Organisation, user: User):
        self.organisation = organisation
        self.user = user
        self.problems: list[Problem] = []
        self.operations: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.participations: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.outcomes: dict[tuple, dict[str, Any]] = {}
        self.follow_ups: dict[tuple, dict[str, Any]] = {}
        # Records are imported only into the programmes the importing lead leads
        # (as a report is asked only for them): an operation is a funding decision.
        self.programmes = {p.code.lower(): p for p in user.programmes_led.all()}
        self.other_programmes = set(
            Programme.objects.values_list("code", flat=True)
        ) - {code for code in self.programmes}
        self.genders = {g.code: g for g in Gender.objects.all()}
        self.communes = {c.postcode: c for c in Commune.objects.exclude(postcode="")}
        self.outside = Commune.objects.filter(postcode="").order_by("pk").first()
        self.diplomas: dict[int, Diploma] = {}
        for diploma in Diploma.objects.order_by("-sort_order"):
            self.diplomas[diploma.isced_level_id] = diploma  # the lowest sort order

    def cell(self, sheet: str, line: int, column: str, parse, *args, **kwargs):
        """The parsed cell, or None with a problem recorded."""
        try:
            return parse(self.values[column], *args, **kwargs)
        except Invalid as error:
            self.problems.append(Problem(sheet, line, column, str(error)))
            return None

    def add(self, sheet: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, line, column, message))

    def check(self, sheets: dict[str, Rows], progress: Progress | None = None) -> None:
        total = max(1, sum(len(sheets.get(sheet, [])) for sheet in SHEETS))
        done = 0
        for sheet in SHEETS:
            for line, values in sheets.get(sheet, []):
                self.values = defaultdict(str, values)
                getattr(self, f"_{sheet}")(sheet, line)
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done / total)
        self._reentries()

    def record_count(self) -> int:
        """About how many records the import writes (for its progress)."""
        return (
            len(self.operations)
            + len(self.people)
            + sum(len(rows) for rows in self.participations.values())
            + len(self.outcomes)
            + len(self.follow_ups)
        )

    # --- each sheet

    def _operations(self, sheet: str, line: int) -> None:
        c = self.cell
        reference = c(sheet, line, "reference", text, max_length=60, required=True)
        code = c(sheet, line, "programme", text, max_length=40, required=True)
        rule_set = c(sheet, line, "rule_set", choice, {v: v for v in RuleSet.values})
        start = c(sheet, line, "start", date, required=True)
        end = c(sheet, line, "end", date, required=True)
        programme = self.programmes.get((code or "").lower())
        if code and programme is None:
            self.add(sheet, line, "programme", self._unknown_programme(code))
        if start and end and end < start:
            self.add(
                sheet, line, "end", _("The operation cannot end before it starts.")
            )
        if not reference:
            return
        if reference.lower() in self.operations:
            self.add(sheet, line, "reference", _("This reference is already above."))
            return
        existing = Operation.objects.filter(reference__iexact=reference).first()
        if existing is not None:
            if not self._leads(existing):
                self.add(sheet, line, "reference", self._not_led(existing))
                return
            if programme is not None and existing.programme_id != programme.pk:
                self.add(
                    sheet,
                    line,
                    "programme",
                    _("The operation %(reference)s exists under another programme.")
                    % {"reference": existing.reference},
                )
            self.operations[reference.lower()] = {"existing": existing}
            return
        if programme and rule_set and start and end and end >= start:
            candidate = Operation(
                reference=reference,
                programme=programme,
                rule_set=rule_set,
                start=start,
                end=end,
            )
            try:
                candidate.clean()
            except ValidationError as error:
                for messages in error.message_dict.values():
                    for message in messages:
                        self.add(sheet, line, "start", message)
                return
            for entry in self.operations.values():
                other = entry.get("new")
                if (
                    other is not None
                    and other.programme_id == programme.pk
                    and other.rule_set == rule_set
                    and other.start <= end
                    and other.end >= start
                ):
                    self.add(
                        sheet,
                        line,
                        "start",
                        _(
                            "The operation %(other)s above, of the same programme "
                            "and rule set, already covers part of this period."
                        )
                        % {"other": other.reference},
                    )
                    return
            self.operations[reference.lower()] = {"new": candidate}

    def _people(self, sheet: str, line: int) -> None:
        c = self.cell
        ref = c(sheet, line, "ref", text, max_length=100, required=True)
        first_name = c(sheet, line, "first_name", text, max_length=100, required=True)
        last_name = c(sheet, line, "last_name", text, max_length=100, required=True)
        birth_date = c(sheet, line, "birth_date", date, required=True)
        gender = c(sheet, line, "gender", choice, GENDERS)
        citizenship = c(sheet, line, "citizenship", self._citizenship)
        commune = c(sheet, line, "postcode", self._commune)
        if birth_date:
            try:
                validate_young_person(YoungPerson(birth_date=birth_date))
            except ValidationError as error:
                for message in error.message_dict.get("birth_date", []):
                    self.add(sheet, line, "birth_date", message)
                birth_date = None
        if not ref:
            return
        if ref.lower() in self.people:
            self.add(sheet, line, "ref", _("This ref is already above."))
            return
        self.people[ref.lower()] = {
            "ref": ref,
            "line": line,
            "valid": None
            not in (first_name, last_name, birth_date, gender, citizenship, commune),
            "data": {
                "first_name": first_name,
                "last_name": last_name,
                "birth_date": birth_date,
                "gender": self.genders.get(gender or ""),
                "citizenship": citizenship,
                "commune": commune,
            },
        }

    def _citizenship(self, value: str) -> str:
        value = text(value, max_length=20)
        if not value:
            return YoungPerson.Citizenship.UNKNOWN
        if value.lower() == "stateless":
            return YoungPerson.Citizenship.STATELESS
        if not COUNTRY.fullmatch(value):
            raise Invalid(
                _("Write a two-letter country code (BE, FR, MA …) or “stateless”.")
            )
        if value.upper() == "BE":
            return YoungPerson.Citizenship.BELGIAN
        if value.upper() in EU_COUNTRIES:
            return YoungPerson.Citizenship.EU
        return YoungPerson.Citizenship.THIRD_COUNTRY

    def _commune(self, value: str) -> Commune:
        value = text(value, max_length=10, required=True)
        if not POSTCODE.fullmatch(value):
            raise Invalid(_("A Belgian postcode has four digits."))
        commune = self.communes.get(value) or self.outside
        if commune is None:
            raise Invalid(_("No commune has this postcode."))
        return commune

    def _person_known(self, ref: str | None) -> bool:
        if not ref:
            return False
        return (
            ref.lower() in self.people
            or ImportReference.objects.filter(
                organisation=self.organisation, ref__iexact=ref
            ).exists()
        )

    def _operation(self, value: str) -> Operation:
        value = text(value, max_length=60, required=True)
        known = self.operations.get(value.lower())
        if known is not None:
            return known.get("existing") or known["new"]
        existing = Operation.objects.filter(reference__iexact=value).first()
        if existing is None:
            raise Invalid(
                _("No operation has this reference (add it to “operations”).")
            )
        if not self._leads(existing):
            raise Invalid(self._not_led(existing))
        self.operations[value.lower()] = {"existing": existing}
        return existing

    def _leads(self, operation: Operation) -> bool:
        return any(p.pk == operation.programme_id for p in self.programmes.values())

    def _not_led(self, operation: Operation) -> str:
        return _(
            "The operation %(reference)s belongs to a programme you do not lead: "
            "its records are imported by one of its project leads."
        ) % {"reference": operation.reference}

    def _unknown_programme(self, code: str) -> str:
        if code.lower() in {other.lower() for other in self.other_programmes}:
            return _(
                "You do not lead this programme: its records are imported by one "
                "of its project leads."
            )
        return _("No programme has this code.")

    def _participations(self, sheet: str, line: int) -> None:
        c = self.cell
        ref = c(sheet, line, "ref", text, max_length=100, required=True)
        if ref and not self._person_known(ref):
            self.add(sheet, line, "ref", _("No person has this ref in “people”."))
        operation = c(sheet, line, "operation", self._operation)
        entry_date = c(sheet, line, "entry_date", date, required=True)
        exit_date = c(sheet, line, "exit_date", date)
        exit_reason = c(
            sheet, line, "exit_reason", choice, EXIT_REASONS, required=False
        )
        employment = c(
            sheet,
            line,
            "employment_status",
            choice,
            {v: v for v in CaseFile.EmploymentStatus.values},
        )
        unemployed_since = c(sheet, line, "unemployed_since", date)
        in_education = c(
            sheet, line, "in_education_or_training", choice, YES_NO, required=False
        )
        diploma = c(sheet, line, "isced_level", self._diploma)
        actiris = c(
            sheet,
            line,
            "registered_at_actiris",
            choice,
            {"yes": True, "no": False, "declined": False},
            required=False,
        )
        sensitive = {
            name: c(sheet, line, name, choice, DECLINABLE, required=False)
            or DeclinableAnswer.DECLINED
            for name in ("disability", "foreign_background", "minority", "homeless")
        }
        if exit_date and not exit_reason and not self.values["exit_reason"]:
            self.add(sheet, line, "exit_reason", _("An exit needs its reason."))
        if exit_reason and not exit_date and not self.values["exit_date"]:
            self.add(sheet, line, "exit_date", _("An exit reason needs its date."))
        if operation and entry_date and not operation.covers(entry_date):
            self.add(
                sheet,
                line,
                "entry_date",
                _("The entry date is outside the operation's period (%(period)s).")
                % {"period": f"{operation.start:%d/%m/%Y}–{operation.end:%d/%m/%Y}"},
            )
            entry_date = None
        data = {
            "entry_date": entry_date,
            "exit_date": exit_date,
            "exit_reason": exit_reason or "",
            "employment_status": employment,
            "unemployed_since": unemployed_since,
            "education": CaseFile.Education.TRAINING
            if in_education
            else CaseFile.Education.NONE,
            "highest_diploma": diploma,
            "registered_at_actiris": bool(actiris),
            **sensitive,
        }
        person = self.people.get((ref or "").lower())
        if (
            person
            and person["valid"]
            and operation
            and entry_date
            and employment
            and diploma
        ):
            self._validate_case_file(sheet, line, person, operation, data)
        if ref and operation:
            key = (ref.lower(), operation.reference.lower())
            self.participations.setdefault(key, []).append(
                {"line": line, "operation": operation, "data": data}
            )

    def _validate_case_file(self, sheet, line, person, operation, data) -> None:
        case_file = CaseFile(
            young_person=YoungPerson(**person["data"]),
            programme=operation.programme,
            status=CaseFile.Status.CLOSED
            if data["exit_date"]
            else CaseFile.Status.ACTIVE,
            **{**data, "exit_reason": data["exit_reason"] or "other"},
        )
        try:
            validate_case_file(case_file)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = {"education": "in_education_or_training"}.get(name, name)
                for message in messages:
                    self.add(sheet, line, column, message)

    def _diploma(self, value: str) -> Diploma:
        value = text(value, max_length=5, required=True)
        if not (value.isascii() and value.isdigit()) or int(value) not in self.diplomas:
            raise Invalid(_("The ISCED level is a number from 0 to 8."))
        return self.diplomas[int(value)]

    def _reentries(self) -> None:
        """Rows of the same person and operation: one participation (its first
        entry's situation, its last exit); each re-entry after the previous exit."""
        for rows in self.participations.values():
            rows.sort(key=lambda row: row["data"]["entry_date"] or datetime.date.min)
            for before, after in zip(rows, rows[1:], strict=False):
                left = before["data"]["exit_date"]
                came_back = after["data"]["entry_date"]
                if left is None or (came_back and came_back < left):
                    self.add(
                        "participations",
                        after["line"],
                        "entry_date",
                        _(
                            "A re-entry in the same operation must come after the "
                            "exit of line %(line)s."
                        )
                        % {"line": before["line"]},
                    )

    def _participation_known(self, sheet: str, line: int) -> tuple | None:
        ref = self.cell(sheet, line, "ref", text, max_length=100, required=True)
        operation = self.cell(sheet, line, "operation", self._operation)
        if not ref or not operation:
            return None
        key = (ref.lower(), operation.reference.lower())
        if key in self.participations:
            return key
        reference = ImportReference.objects.filter(
            organisation=self.organisation, ref__iexact=ref
        ).first()
        if reference is not None and operation.pk is not None:
            exists = CaseFile.objects.filter(
                young_person_id=reference.young_person_id,
                operation=operation,
                owner_organisation=self.organisation,
            ).exists()
            if exists:
                return key
        self.add(
            sheet,
            line,
            "ref",
            _("No participation of this ref in this operation in “participations”."),
        )
        return None

    def _outcomes(self, sheet: str, line: int) -> None:
        key = self._participation_known(sheet, line)
        start = self.cell(sheet, line, "date", date, required=True)
        kind = self.cell(sheet, line, "type", choice, OUTCOME_TYPES)
        end = self.cell(sheet, line, "end_date", date)
        if start and end and end < start:
            self.add(sheet, line, "end_date", _("The end is before the start."))
        if key and start and kind:
            self.outcomes[(*key, kind, start)] = {"end_date": end}

    def _follow_ups(self, sheet: str, line: int) -> None:
        key = self._participation_known(sheet, line)
        kind = self.cell(
            sheet, line, "kind", choice, {v: v for v in FollowUp.Kind.values}
        )
        day = self.cell(sheet, line, "date", date, required=True)
        situation = self.cell(
            sheet,
            line,
            "situation",
            choice,
            {v: v for v in FollowUp.Situation.values},
            required=False,
        )
        if key and kind and day:
            self.follow_ups[(*key, kind)] = {"due_on": day, "situation": situation}


# --- writing ---


def _count_record(counts: dict, sheet: str, what: str) -> None:
    counts.setdefault(sheet, {"created": 0, "updated": 0, "unchanged": 0})
    counts[sheet][what] += 1


def _write(
    checker: _Checker,
    counts: dict[str, dict[str, int]],
    progress: Progress | None = None,
) -> None:
    user, organisation = checker.user, checker.organisation
    total = max(1, checker.record_count())
    written = 0

    def _count(counts: dict, sheet: str, what: str) -> None:
        """Counts the record (the module's ``_count``) and tells the progress."""
        nonlocal written
        _count_record(counts, sheet, what)
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(min(1.0, written / total))

    def audit(obj, case_file=None, action=AuditEvent.Action.CREATE, **changes):
        record_audit_event(
            actor=user,
            action=action,
            obj=obj,
            case_file=case_file,
            changes={"import": True, **changes},
            version=getattr(obj, "version", None),
        )

    operations: dict[str, Operation] = {}
    for key, entry in checker.operations.items():
        if "new" in entry:
            operation = entry["new"]
            operation.save()
            audit(operation)
            _count(counts, "operations", "created")
        else:
            operation = entry["existing"]
            _count(counts, "operations", "unchanged")
        operations[key] = operation

    people: dict[str, YoungPerson] = {}
    by_name: dict[tuple[str, datetime.date], YoungPerson] = {}
    for ref, entry in checker.people.items():
        data = entry["data"]
        reference = ImportReference.objects.filter(
            organisation=organisation, ref__iexact=ref
        ).first()
        name = (
            normalise_name(data["last_name"], data["first_name"]),
            data["birth_date"],
        )
        person: YoungPerson | None = None
        if reference is not None:
            person = reference.young_person
        else:
            # The duplicate guard: a person the organisation already registered is
            # reused, not registered twice (nor twice within the file).
            person = by_name.get(name) or (
                young_person_possible_duplicates(
                    user=user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    birth_date=data["birth_date"],
                )
                .order_by("pk")
                .first()
            )
        if person is None:
            person = YoungPerson.objects.create(
                created_by_organisation=organisation, **data
            )
            audit(person)
            _count(counts, "people", "created")
        else:
            _count(counts, "people", "unchanged")
        if reference is None:
            ImportReference.objects.create(
                organisation=organisation, ref=entry["ref"], young_person=person
            )
        by_name[name] = person
        people[ref] = person

    def person_of(ref: str) -> YoungPerson:
        if ref not in people:
            reference = ImportReference.objects.get(
                organisation=organisation, ref__iexact=ref
            )
            people[ref] = reference.young_person
        return people[ref]

    def operation_of(key: str) -> Operation:
        if key not in operations:
            entry = checker.operations[key]
            operations[key] = entry.get("existing") or entry["new"]
        return operations[key]

    case_files: dict[tuple[str, str], CaseFile] = {}
    for (ref, op_key), rows in checker.participations.items():
        person, operation = person_of(ref), operation_of(op_key)
        first, last = rows[0]["data"], rows[-1]["data"]
        case_file = (
            CaseFile.objects.filter(
                young_person=person,
                operation=operation,
                owner_organisation=organisation,
            )
            .order_by("pk")
            .first()
        )
        if case_file is None:
            status = (
                CaseFile.Status.CLOSED if last["exit_date"] else CaseFile.Status.ACTIVE
            )
            case_file = CaseFile(
                young_person=person,
                programme=operation.programme,
                operation=operation,
                owner_organisation=organisation,
                created_by=user,
                status=status,
                **{
                    **first,
                    "exit_date": last["exit_date"],
                    "exit_reason": last["exit_reason"],
                },
            )
            case_file.save()
            CaseStatusChange.objects.create(
                case_file=case_file,
                from_status="",
                to_status=CaseFile.Status.ACTIVE,
                effective_date=case_file.entry_date,
                changed_by=user,
                comment=_("Imported from past records."),
            )
            if status == CaseFile.Status.CLOSED:
                CaseStatusChange.objects.create(
                    case_file=case_file,
                    from_status=CaseFile.Status.ACTIVE,
                    to_status=CaseFile.Status.CLOSED,
                    effective_date=last["exit_date"],
                    changed_by=user,
                    comment=_("Imported from past records."),
                )
            audit(case_file, case_file, rows=len(rows))
            _count(counts, "participations", "created")
        elif case_file.exit_date is None and last["exit_date"]:
            before = case_file.status
            case_file.exit_date = last["exit_date"]
            case_file.exit_reason = last["exit_reason"]
            case_file.status = CaseFile.Status.CLOSED
            case_file.version += 1
            case_file.save()
            CaseStatusChange.objects.create(
                case_file=case_file,
                from_status=before,
                to_status=CaseFile.Status.CLOSED,
                effective_date=last["exit_date"],
                changed_by=user,
                comment=_("Imported from past records."),
            )
            audit(case_file, case_file, AuditEvent.Action.UPDATE)
            _count(counts, "participations", "updated")
        else:
            _count(counts, "participations", "unchanged")
        case_files[(ref, op_key)] = case_file

    def case_file_of(ref: str, op_key: str) -> CaseFile:
        if (ref, op_key) not in case_files:
            found = (
                CaseFile.objects.filter(
                    young_person=person_of(ref),
                    operation=operation_of(op_key),
                    owner_organisation=organisation,
                )
                .order_by("pk")
                .first()
            )
            assert found is not None  # checked by _participation_known
            case_files[(ref, op_key)] = found
        return case_files[(ref, op_key)]

    for (ref, op_key, kind, start), values in checker.outcomes.items():
        case_file = case_file_of(ref, op_key)
        outcome = Outcome.objects.filter(
            case_file=case_file, kind=kind, start_date=start
        ).first()
        if outcome is None:
            outcome = Outcome.objects.create(
                case_file=case_file,
                kind=kind,
                start_date=start,
                end_date=values["end_date"],
                source=Outcome.Source.DOCUMENT,
                verification_note=_("Imported from past records."),
                recorded_by=user,
            )
            audit(outcome, case_file)
            _count(counts, "outcomes", "created")
        else:
            _count(counts, "outcomes", "unchanged")

    for (ref, op_key, kind), values in checker.follow_ups.items():
        case_file = case_file_of(ref, op_key)
        follow_up = FollowUp.objects.filter(case_file=case_file, kind=kind).first()
        situation = values["situation"]
        if follow_up is None:
            follow_up = FollowUp.objects.create(
                case_file=case_file,
                advisor_id=case_file.advisor_id,
                kind=kind,
                due_on=values["due_on"],
                situation=situation or "",
                answered_on=values["due_on"] if situation else None,
                answered_by=user if situation else None,
            )
            audit(follow_up, case_file)
            _count(counts, "follow_ups", "created")
        elif follow_up.answered_on is None and situation:
            follow_up.situation = situation
            follow_up.answered_on = values["due_on"]
            follow_up.answered_by = user
            follow_up.save()
            audit(follow_up, case_file, AuditEvent.Action.UPDATE)
            _count(counts, "follow_ups", "updated")
        else:
            _count(counts, "follow_ups", "unchanged")


class _DryRun(Exception):
    pass


class RunTakenOver(Exception):
    """The run was taken over by another task (this one's lease had ended): what
    this one wrote is rolled back."""


def run_import(
    *,
    data: bytes,
    file_name: str,
    organisation: Organisation,
    user: User,
    dry_run: bool,
    run: ImportRun | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the file, and import it unless ``dry_run`` or it has a problem.

    Without ``run`` (the command line), the run is created at the end; with it (the
    background job: ``outcomes.imports.services``), that run is updated in the same
    transaction as the records, only if it still holds the claim it was read with.
    ``progress`` is told the share done (0 to 1): the check is the first half, the
    writing the second."""
    result = ImportResult()

    def check_progress(share: float) -> None:
        if progress is not None:
            progress(share / 2)

    def write_progress(share: float) -> None:
        if progress is not None:
            progress(0.5 + share / 2)

    try:
        sheets, result.problems = read_import_file(data)
    except FileUnreadable as error:
        result.problems = [error.problem]
        sheets = {}
    if sheets:
        checker = _Checker(organisation, user)
        checker.check(sheets, check_progress)
        result.problems += checker.problems
    check_progress(1.0)
    result.problems.sort(
        key=lambda p: (list(SHEETS).index(p.sheet) if p.sheet in SHEETS else -1, p.line)
    )
    # The records and their run are saved together (a dry run's records are rolled
    # back to the savepoint, its run kept).
    with transaction.atomic():
        counts: dict[str, dict[str, int]] = {}
        if not result.problems:
            try:
                with transaction.atomic():
                    _write(checker, counts, write_progress)
                    write_progress(1.0)
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                pass
            result.imported = not dry_run
        result.counts = counts
        if result.imported:
            status = ImportRun.Status.IMPORTED
        elif result.problems:
            status = ImportRun.Status.REFUSED
        else:
            status = ImportRun.Status.CHECKED
        values = dict(
            status=status,
            content=data if status == ImportRun.Status.CHECKED else None,
            counts=counts,
            problem_count=len(result.problems),
        )
        if run is None:
            result.run = ImportRun.objects.create(
                organisation=organisation,
                user=user,
                file_name=CONTROL.sub("", file_name)[:200],
                sha256=hashlib.sha256(data).hexdigest(),
                **values,
            )
        else:
            kept = ImportRun.objects.filter(
                pk=run.pk, status=run.status, attempts=run.attempts
            ).update(
                **values,
                problems=[
                    [p.sheet, p.line, p.column, p.message] for p in result.problems
                ],
                progress=100,
                finished_at=timezone.now(),
                lease_expires_at=None,
            )
            if not kept:
                raise RunTakenOver
            run.status, run.counts = status, counts
            run.problem_count = len(result.problems)
            result.run = run
        record_audit_event(
            actor=user,
            action=AuditEvent.Action.CREATE
            if run is None
            else AuditEvent.Action.UPDATE,
            obj=result.run,
            case_file=None,
            changes={
                "status": status,
                "dry_run": dry_run,
                "problems": len(result.problems),
                "counts": counts,
            },
        )
    return result
