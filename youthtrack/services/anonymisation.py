"""Erasure on request and retention: anonymising a young person's records for good.

What anonymisation does, read from the one classification of personal fields
(``youthtrack.personal_data``), on the young person and on every record that points at
one of their case files or at them (notes, consents, sharings, status changes,
outcomes, follow-ups, goals, enrolments, walk-ins, imported references…, whatever app
it lives in):

- typed text (free text), contact details and names are removed: names become a fixed
  placeholder, the rest is blanked; a uploaded file (evidence) is deleted from storage;
- the birth date is replaced by the latest date that gives the same age at the entry
  of each of the person's case files: the age at entry is the only thing the figures
  read from it (``outcomes.indicators``), and it is kept, nothing more;
- coded answers (a field with choices: citizenship, the sensitive answers at entry)
  and references to reference data (gender, commune) are kept: they are the anonymous
  facts past figures count, and without a name they no longer say who;
- the audit trail keeps who did what to which record and when; the values of
  personal fields in it, and any value holding one of the person's names, contact
  details or texts, are replaced by the placeholder.

A past report keeps its stored figures and files (``outcomes.ReportJob``), and a re-run
over the same period gives the same figures and checksum, since every fact the figures
and the checksum read is kept. A case file under legal hold (an audit) is never
anonymised, neither by erasure nor by retention.

Retention anonymises each closed case file once its operation's retention date has
passed (``Operation.retention_end``); the person's identity goes with their last case
file. Everything here is idempotent: an anonymised record is skipped.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    CaseFile,
    Share,
    User,
    YoungPerson,
    age_on,
    default_retention_end,
    normalise_name,
)
from ..personal_data import Category, classified_models, personal_fields
from .sharing import _end_share

logger = logging.getLogger(__name__)

# What names become, and what replaces a personal value in the audit trail.
PLACEHOLDER = "[anonymised]"
# The person's names: a fixed placeholder (a blank name would read as a mistake).
PLACEHOLDER_NAMES = {"first_name": "", "last_name": PLACEHOLDER}
# Personal fields not removed: the birth date, replaced (see ``kept_birth_date``).
REPLACED = {(YoungPerson, "birth_date"), (YoungPerson, "name_key")}


class AnonymisationRefused(ValidationError):
    """The records may not be anonymised now (a legal hold, an open case file)."""


# --- what happens to each personal field ---


def _is_kept(model_field: models.Field, category: Category) -> bool:
    """Coded answers and references to reference data are the anonymous facts the
    figures count: kept. The sensitive answers at entry are coded answers."""
    if category == Category.SENSITIVE:
        return True
    return bool(model_field.is_relation or model_field.choices)


def _cleared_value(model: type[models.Model], model_field: models.Field) -> Any:
    """The value a removed personal field takes, for ``QuerySet.update``."""
    name = model_field.name
    if model is YoungPerson and name in PLACEHOLDER_NAMES:
        return PLACEHOLDER_NAMES[name]
    if isinstance(model_field, models.FileField):
        return ""
    if isinstance(model_field, models.BinaryField):
        if not model_field.null:
            raise ImproperlyConfigured(f"{model.__name__}.{name}: cannot be emptied")
        return None
    if isinstance(model_field, (models.CharField, models.TextField)):
        unique = model_field.unique or any(
            isinstance(c, models.UniqueConstraint) and name in c.fields
            for c in model._meta.constraints
        )
        if unique:
            # Unique among the records: the record's own number keeps it so.
            return Concat(Value("anonymised-"), Cast("pk", models.CharField()))
        return None if model_field.null else ""
    if isinstance(model_field, models.GenericIPAddressField) and model_field.null:
        return None
    raise ImproperlyConfigured(
        f"{model.__name__}.{name} is personal, but anonymisation does not know how "
        "to remove it: say so in youthtrack.services.anonymisation"
    )


@dataclass(frozen=True)
class Plan:
    """For one model: the removed fields and their new values, the files to delete."""

    model: type[models.Model]
    values: dict[str, Any]
    files: tuple[str, ...]
    scrubbed: frozenset[str]  # personal field names whose audit values are replaced


def _field(model: type[models.Model], name: str) -> models.Field:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # a column, never a reverse relation
    return model_field


def plan_for(model: type[models.Model]) -> Plan:
    values: dict[str, Any] = {}
    files: list[str] = []
    scrubbed: set[str] = set()
    for name, category in personal_fields(model).items():
        model_field = _field(model, name)
        if (model, name) in REPLACED:
            scrubbed.add(name)
            continue
        if _is_kept(model_field, category):
            continue
        scrubbed.add(name)
        values[name] = _cleared_value(model, model_field)
        if isinstance(model_field, models.FileField):
            files.append(name)
    return Plan(model, values, tuple(files), frozenset(scrubbed))


def linked_models(target: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Every classified model with a foreign key to ``target`` (the audit trail apart):
    the records anonymised with a case file or a young person."""
    found = []
    for model in classified_models():
        if model is AuditEvent:
            continue
        for model_field in model._meta.concrete_fields:
            if model_field.many_to_one and model_field.related_model is target:
                found.append((model, model_field.name))
    return found


# --- the facts kept ---


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def kept_birth_date(
    birth_date: datetime.date, entries: Iterable[datetime.date]
) -> datetime.date:
    """The latest date that gives the same age on each entry date as ``birth_date``:
    the ages at entry are kept, and nothing more of the birth date (with no entry,
    1 January of the birth year)."""
    entries = list(entries)
    if not entries:
        return birth_date.replace(month=1, day=1)
    candidate = min(_add_years(day, -age_on(birth_date, day)) for day in entries)
    # The true birth date gives those ages, so the latest such date is on or after it
    # and before every entry's next birthday: checked, never assumed.
    if any(age_on(candidate, day) != age_on(birth_date, day) for day in entries):
        raise AssertionError("the kept birth date changes an age at entry")
    return candidate


# --- the audit trail ---


class _Scrubber:
    """Replaces, in audit changes, personal values and any text holding the person's
    names, contact details or typed texts."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()

    def add(self, *values: Any) -> None:
        for value in values:
            if isinstance(value, str) and len(value.strip()) >= 3:
                self.tokens.add(value.strip().casefold())

    def text(self, value: str) -> str:
        folded = value.casefold()
        if any(token in folded for token in self.tokens):
            return PLACEHOLDER
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value

    def changes(self, changes: Any, personal: frozenset[str]) -> Any:
        if not isinstance(changes, dict):
            return self.value(changes)
        result = {}
        for key, value in changes.items():
            if key in personal and value not in (None, "", [], {}):
                result[key] = _placeholder_like(value)
            else:
                result[key] = self.value(value)
        return result


def _placeholder_like(value: Any) -> Any:
    if isinstance(value, dict) and value.get("changed") is True:
        # The trail's reference to a personal value: that it changed stays, the
        # fingerprints of the values go.
        return {"changed": True}
    if isinstance(value, list):
        return [None if item in (None, "") else PLACEHOLDER for item in value]
    return PLACEHOLDER


def _scrub_audit(
    *,
    case_file_ids: Iterable[int],
    objects: dict[type[models.Model], set[int]],
    scrubber: _Scrubber,
) -> int:
    """Rewrite the values of the audit rows about these records. The one writer
    allowed past the trail's append-only guard: it removes values, never the rows nor
    who did what when."""
    plans = {model._meta.label_lower: plan_for(model) for model in objects}
    condition = Q(case_file_id__in=list(case_file_ids))
    for model, ids in objects.items():
        if ids:
            condition |= Q(object_type=model._meta.label_lower, object_id__in=ids)
    raw: models.QuerySet[AuditEvent] = models.QuerySet(model=AuditEvent)
    changed = 0
    for event_id, object_type, changes in raw.filter(condition).values_list(
        "pk", "object_type", "changes"
    ):
        plan = plans.get(object_type)
        if plan is None:
            from django.apps import apps

            try:
                plan = plan_for(apps.get_model(object_type))
            except (LookupError, ValueError):
                plan = Plan(AuditEvent, {}, (), frozenset())
            plans[object_type] = plan
        scrubbed = scrubber.changes(changes, plan.scrubbed)
        if scrubbed != changes:
            raw.filter(pk=event_id).update(changes=scrubbed)
            changed += 1
    return changed


# --- anonymising ---


def _anonymise_rows(
    model: type[models.Model],
    rows: models.QuerySet,
    scrubber: _Scrubber,
    objects: dict[type[models.Model], set[int]],
) -> None:
    plan = plan_for(model)
    text_fields = [
        name
        for name in plan.scrubbed
        if isinstance(_field(model, name), (models.CharField, models.TextField))
    ]
    ids: set[int] = set()
    paths: list[tuple[Any, str]] = []
    for row in rows.values("pk", *text_fields, *plan.files):
        ids.add(row["pk"])
        scrubber.add(*(row[name] for name in text_fields))
        for name in plan.files:
            if row[name]:
                file_field = _field(model, name)
                assert isinstance(file_field, models.FileField)
                paths.append((file_field.storage, row[name]))
    objects[model] |= ids
    if not ids or not plan.values:
        return
    values = dict(plan.values)
    if any(f.name == "version" for f in model._meta.concrete_fields):
        values["version"] = F("version") + 1
    model._default_manager.filter(pk__in=ids).update(**values)
    for storage, path in paths:
        # Deleted once the anonymisation is committed (a rollback keeps them).
        transaction.on_commit(partial(storage.delete, path))


def _check_not_held(case_files: Iterable[CaseFile]) -> None:
    held = [
        f"#{case_file.pk}" for case_file in case_files if case_file.legal_hold_since
    ]
    if held:
        raise AnonymisationRefused(
            _("Under legal hold, never anonymised until the hold is lifted: %(files)s.")
            % {"files": ", ".join(held)}
        )


def _anonymise_case_file(
    case_file: CaseFile,
    *,
    scrubber: _Scrubber,
    objects: dict[type[models.Model], set[int]],
    now: datetime.datetime,
) -> None:
    for model, fk in linked_models(CaseFile):
        _anonymise_rows(
            model,
            model._default_manager.filter(**{fk: case_file.pk}),
            scrubber,
            objects,
        )
    # Live sharings end: nobody needs the file any more.
    for share in Share.objects.select_related("partner", "case_file").filter(
        case_file=case_file, status__in=[Share.Status.PENDING, Share.Status.ACCEPTED]
    ):
        _end_share(share, status=Share.Status.REVOKED, acting_user=None)
    _anonymise_rows(
        CaseFile, CaseFile.objects.filter(pk=case_file.pk), scrubber, objects
    )
    CaseFile.objects.filter(pk=case_file.pk).update(
        anonymised_at=now, version=F("version") + 1
    )


def _anonymise_person(
    person: YoungPerson,
    *,
    scrubber: _Scrubber,
    objects: dict[type[models.Model], set[int]],
    now: datetime.datetime,
    kept: YoungPerson | None = None,
) -> None:
    """The person's identity removed; and that of the records merged into theirs
    (duplicates of the same person, ``kept`` being the record they were merged into)."""
    scrubber.add(person.first_name, person.last_name, person.phone, person.email)
    scrubber.add(f"{person.first_name} {person.last_name}", person.name_key)
    people = [person.pk] + ([kept.pk] if kept is not None else [])
    entries = CaseFile.objects.filter(young_person__in=people).values_list(
        "entry_date", flat=True
    )
    birth_date = kept_birth_date(person.birth_date, entries)
    for duplicate in YoungPerson.objects.filter(
        merged_into=person, anonymised_at__isnull=True
    ):
        _anonymise_person(
            duplicate, scrubber=scrubber, objects=objects, now=now, kept=person
        )
    # Again on every file of theirs: a copy of the person's name kept on a file
    # (``CaseFile.name_key``) may have been written after the file was anonymised.
    _anonymise_rows(
        CaseFile, CaseFile.objects.filter(young_person=person), scrubber, objects
    )
    for model, fk in linked_models(YoungPerson):
        if model in (CaseFile, YoungPerson):
            continue
        _anonymise_rows(
            model, model._default_manager.filter(**{fk: person.pk}), scrubber, objects
        )
    _anonymise_rows(
        YoungPerson, YoungPerson.objects.filter(pk=person.pk), scrubber, objects
    )
    YoungPerson.objects.filter(pk=person.pk).update(
        birth_date=birth_date,
        name_key=normalise_name(*PLACEHOLDER_NAMES.values()),
        anonymised_at=now,
        version=F("version") + 1,
    )


@dataclass
class Anonymised:
    case_files: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    audit_rows: int = 0


@transaction.atomic
def _anonymise(
    case_files: list[CaseFile],
    *,
    person_too: set[int],
    actor: User | None,
    reason: str,
    action: str,
) -> Anonymised:
    now = timezone.now()
    scrubber = _Scrubber()
    objects: dict[type[models.Model], set[int]] = defaultdict(set)
    outcome = Anonymised()
    people = {case_file.young_person_id for case_file in case_files} | person_too
    locked_people = {
        person.pk: person
        for person in YoungPerson.objects.select_for_update().filter(pk__in=people)
    }
    for person in locked_people.values():
        # The person's names are scrubbed from the trail of each file, too.
        scrubber.add(person.first_name, person.last_name, person.phone, person.email)
        scrubber.add(f"{person.first_name} {person.last_name}")
    for case_file in case_files:
        locked = CaseFile.objects.select_for_update().get(pk=case_file.pk)
        if locked.anonymised_at is not None:
            continue
        _check_not_held([locked])
        _anonymise_case_file(locked, scrubber=scrubber, objects=objects, now=now)
        outcome.case_files.append(locked.pk)
    for person_id, person in sorted(locked_people.items()):
        if person.anonymised_at is not None:
            continue
        still_named = CaseFile.objects.filter(
            young_person_id=person_id, anonymised_at__isnull=True
        )
        if person_id not in person_too and still_named.exists():
            continue  # another case file of theirs is still kept
        if still_named.exists():
            raise AnonymisationRefused(_("A case file of this person is still kept."))
        _anonymise_person(person, scrubber=scrubber, objects=objects, now=now)
        outcome.people.append(person_id)
    outcome.audit_rows = _scrub_audit(
        case_file_ids=outcome.case_files, objects=objects, scrubber=scrubber
    )
    # The erasure's own trace: what, when, by whom and why (the reason, too, loses
    # any of the person's names or texts typed in it).
    reason = scrubber.text(reason) if reason else ""
    for case_file_id in outcome.case_files:
        record_audit_event(
            actor=actor,
            action=action,
            obj=CaseFile(pk=case_file_id),
            case_file=CaseFile(pk=case_file_id),
            changes={"reason": reason} if reason else {},
        )
    for person_id in outcome.people:
        record_audit_event(
            actor=actor,
            action=action,
            obj=YoungPerson(pk=person_id),
            case_file=None,
            changes={"reason": reason} if reason else {},
        )
    logger.info(
        "anonymised case files=%s people=%s audit rows=%s",
        outcome.case_files,
        outcome.people,
        outcome.audit_rows,
    )
    return outcome


# --- erasure on request ---


def can_erase(user: User, person: YoungPerson | None = None) -> bool:
    """A data protection officer (or an administrator holding the role), for the
    people with a case file kept by their organisation."""
    if not user.is_authenticated or not user.acts_as_dpo:
        return False
    if person is None:
        return True
    return CaseFile.objects.filter(
        young_person=person, owner_organisation_id=user.organisation_id
    ).exists()


def erasure_blockers(person: YoungPerson, user: User) -> list[str]:
    """Why the person cannot be erased now (empty: they can)."""
    problems = []
    files = list(person.case_files.order_by("pk"))
    # Another organisation's file already anonymised (its retention ended) holds
    # nothing of the person: it no longer waits for that organisation's officer,
    # whose own erasure this organisation's file would block in turn.
    elsewhere = [
        f"#{f.pk}"
        for f in files
        if f.owner_organisation_id != user.organisation_id and f.anonymised_at is None
    ]
    if elsewhere:
        problems.append(
            _(
                "Kept by another organisation, which answers for it: %(files)s. Ask "
                "its data protection officer to erase it first."
            )
            % {"files": ", ".join(elsewhere)}
        )
    # Another organisation's file holds the erasure back, and that is all the
    # officer learns of it: whether it is held or open is that organisation's.
    files = [f for f in files if f.owner_organisation_id == user.organisation_id]
    held = [f"#{f.pk}" for f in files if f.legal_hold_since]
    if held:
        problems.append(
            _("Under legal hold (a file under audit): %(files)s.")
            % {"files": ", ".join(held)}
        )
    still_open = [f"#{f.pk}" for f in files if f.status != CaseFile.Status.CLOSED]
    if still_open:
        problems.append(
            _(
                "Still open: %(files)s. Ask the file's advisor to close it first: its "
                "exit is a fact the funders count."
            )
            % {"files": ", ".join(still_open)}
        )
    return problems


def young_person_erase(
    *, person: YoungPerson, acting_user: User, reason: str
) -> Anonymised:
    """Erasure on request: every case file of the person and their identity,
    anonymised irreversibly, by a data protection officer, with a reason."""
    if not can_erase(acting_user, person):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the person is erased.")})
    if person.anonymised_at is not None:
        raise AnonymisationRefused(_("This person has already been anonymised."))
    problems = erasure_blockers(person, acting_user)
    if problems:
        raise AnonymisationRefused(problems)
    return _anonymise(
        list(person.case_files.all()),
        person_too={person.pk},
        actor=acting_user,
        reason=reason.strip(),
        action=AuditEvent.Action.ERASE,
    )


# --- legal hold ---


def can_hold(user: User, case_file: CaseFile) -> bool:
    """The project leads and the data protection officer of the file's organisation."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.organisation_id != case_file.owner_organisation_id:
        return False
    return user.role == User.Role.LEAD or user.acts_as_dpo


@transaction.atomic
def legal_hold_set(*, case_file: CaseFile, acting_user: User, reason: str) -> CaseFile:
    if not can_hold(acting_user, case_file):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say which audit or procedure the hold is for.")}
        )
    locked = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if locked.anonymised_at is not None:
        raise ValidationError(_("This case file has already been anonymised."))
    if locked.legal_hold_since is not None:
        raise ValidationError(_("This case file is already under legal hold."))
    CaseFile.objects.filter(pk=locked.pk).update(
        legal_hold_reason=reason,
        legal_hold_by=acting_user,
        legal_hold_since=timezone.now(),
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.HOLD,
        obj=locked,
        case_file=locked,
        changes={"legal_hold_reason": [None, reason]},
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def legal_hold_clear(*, case_file: CaseFile, acting_user: User) -> CaseFile:
    if not can_hold(acting_user, case_file):
        raise PermissionDenied
    locked = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if locked.legal_hold_since is None:
        raise ValidationError(_("This case file is not under legal hold."))
    CaseFile.objects.filter(pk=locked.pk).update(
        legal_hold_reason="", legal_hold_by=None, legal_hold_since=None
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.RELEASE,
        obj=locked,
        case_file=locked,
        changes={"legal_hold_reason": [locked.legal_hold_reason, None]},
    )
    locked.refresh_from_db()
    return locked


# --- retention ---


def retention_due(today: datetime.date) -> models.QuerySet[CaseFile]:
    """Closed case files whose retention has ended (``retention_end_of`` before
    today), not anonymised yet; held ones included: the report lists them apart.

    In one query: 31 December of year Y + N is before today exactly when Y is at most
    today's year - N - 1 (N: ``YOUTHTRACK_RETENTION_YEARS_AFTER_END``)."""
    last_year = today.year - settings.YOUTHTRACK_RETENTION_YEARS_AFTER_END - 1
    ended = (
        Q(operation__retention_until__lt=today)
        | Q(
            operation__isnull=False,
            operation__retention_until__isnull=True,
            operation__end__year__lte=last_year,
        )
        | Q(operation__isnull=True, exit_date__year__lte=last_year)
        | Q(
            operation__isnull=True,
            exit_date__isnull=True,
            entry_date__year__lte=last_year,
        )
    )
    return (
        CaseFile.objects.filter(
            status=CaseFile.Status.CLOSED, anonymised_at__isnull=True
        )
        .filter(ended)
        .select_related("operation")
    )


def retention_end_of(case_file: CaseFile) -> datetime.date:
    """The last day a closed case file is kept: its operation's retention end, or for
    a file of no operation the same period counted from its exit."""
    if case_file.operation is not None:
        return case_file.operation.retention_end()
    exit_date = case_file.exit_date or case_file.entry_date
    return default_retention_end(exit_date)


@dataclass
class RetentionReport:
    today: datetime.date
    # By operation reference ("" for files of no operation): due, held.
    due: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    held: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    anonymised_files: list[int] = field(default_factory=list)
    anonymised_people: list[int] = field(default_factory=list)

    @property
    def due_count(self) -> int:
        return sum(len(ids) for ids in self.due.values())

    @property
    def held_count(self) -> int:
        return sum(len(ids) for ids in self.held.values())


def retention_run(
    *, today: datetime.date | None = None, dry_run: bool
) -> RetentionReport:
    """Anonymise the closed case files whose retention has ended (``dry_run``: only
    say which). Idempotent: anonymised files are not due any more."""
    today = today or timezone.localdate()
    report = RetentionReport(today=today)
    for case_file in retention_due(today).order_by("operation__reference", "pk"):
        key = case_file.operation.reference if case_file.operation else ""
        if case_file.legal_hold_since is not None:
            report.held[key].append(case_file.pk)
        else:
            report.due[key].append(case_file.pk)
    if dry_run:
        return report
    for ids in report.due.values():
        for case_file in CaseFile.objects.filter(pk__in=ids).order_by("pk"):
            # One transaction per file: a failure leaves the others done.
            outcome = _anonymise(
                [case_file],
                person_too=set(),
                actor=None,
                reason="",
                action=AuditEvent.Action.RETENTION,
            )
            report.anonymised_files += outcome.case_files
            report.anonymised_people += outcome.people
    return report
