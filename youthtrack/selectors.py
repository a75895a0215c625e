"""Reads. Every function takes the user and goes through the access gate."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page
from django.db import connections
from django.db.models import Case, DateField, F, Q, QuerySet, When
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from .access import (
    can_read_audit_of,
    case_file_sources,
    case_files_visible_to,
    dpo_case_files,
    dpo_young_people,
    notes_visible_to,
    people_linkable_by,
    share_in_force,
)
from .audit import is_personal_reference, opened_value
from .filters import AuditEventFilter, CaseFileFilter
from .models import (
    AuditEvent,
    CaseFile,
    Note,
    Share,
    User,
    YoungPerson,
    normalise_name,
)
from .pagination import BoundedPaginator, key_in_array


def case_file_with_related(
    queryset: QuerySet[CaseFile] | None = None,
) -> QuerySet[CaseFile]:
    """The files with what a list shows of them, read in the same query."""
    return (CaseFile.objects.all() if queryset is None else queryset).select_related(
        "young_person",
        "young_person__gender",
        "young_person__commune",
        "programme",
        "advisor",
    )


def case_file_list_for_user(*, user: User) -> QuerySet[CaseFile]:
    return case_file_with_related(case_files_visible_to(user))


def case_file_filtered_for_user(
    *, user: User, params: QueryDict
) -> tuple[CaseFileFilter, QuerySet[CaseFile]]:
    """The case list's filter and the files it keeps, in a stable order (the chosen
    sort, then the number, so that no file is skipped or repeated from page to
    page). Invalid filters keep nothing."""
    queryset = case_file_list_for_user(user=user)
    case_filter = CaseFileFilter(params or None, queryset=queryset, user=user)
    sort: list[str] = []
    if not case_filter.is_bound:
        results = queryset
    elif case_filter.is_valid():
        results = case_filter.qs
        sort = list(case_filter.form.cleaned_data.get("sort") or [])
    else:
        results = queryset.none()
    ordering = [case_filter.filters["sort"].get_ordering_value(p) for p in sort]
    return case_filter, results.order_by(*(ordering or ["-updated_at"]), "-pk")


def case_file_page_for_user(
    *, user: User, params: QueryDict
) -> tuple[CaseFileFilter, Page]:
    """One page of the case list, as the query string asks: among the first
    ``COUNT_LIMIT`` files, counted up to there, each source of files read in the
    list's order from its own index (``pagination.BoundedPaginator``)."""
    case_filter, results = case_file_filtered_for_user(user=user, params=params)
    parts = [results.filter(source) for source in case_file_sources(user)]
    # The parts went through the gate and the filters: the page's files are then read
    # by their numbers alone.
    rows_by_key = case_file_with_related().order_by(*results.query.order_by)
    page = BoundedPaginator(
        results, settings.YOUTHTRACK_PAGE_SIZE, parts=parts, rows_by_key=rows_by_key
    ).get_page(params.get("page"))
    return case_filter, page


def case_file_get_for_user(*, user: User, pk: int) -> CaseFile:
    try:
        return (
            case_file_list_for_user(user=user)
            .select_related(
                "highest_diploma__isced_level", "owner_organisation", "operation"
            )
            .get(pk=pk)
        )
    except CaseFile.DoesNotExist:
        raise Http404 from None


def note_list_for_user(*, user: User, case_file: CaseFile) -> QuerySet[Note]:
    return notes_visible_to(user, case_file).select_related(
        "channel", "author", "organisation"
    )


def note_get_for_user(*, user: User, case_file: CaseFile, pk: int) -> Note:
    """A note is reached through its case file's gate, never by its id alone."""
    try:
        return note_list_for_user(user=user, case_file=case_file).get(pk=pk)
    except Note.DoesNotExist:
        raise Http404 from None


def young_person_get_for_user(*, user: User, pk: int) -> YoungPerson:
    """A young person is visible when one of their case files is."""
    if not case_files_visible_to(user).filter(young_person_id=pk).exists():
        raise Http404
    return YoungPerson.objects.select_related("gender", "commune").get(pk=pk)


def young_person_linkable_get_for_user(*, user: User, pk: int) -> YoungPerson:
    """A young person the user may open a new case file for (``people_linkable_by``):
    seeing a partner's file of them is not enough."""
    try:
        return people_linkable_by(user).select_related("gender", "commune").get(pk=pk)
    except YoungPerson.DoesNotExist:
        raise Http404 from None


def young_person_possible_duplicates(
    *, user: User, first_name: str, last_name: str, birth_date: datetime.date
) -> QuerySet[YoungPerson]:
    """People already registered with the same name and birth date (accents and case
    ignored), among those the user may link to a new case file: the guard offers to
    "use this person", which only their own organisation may do."""
    return (
        people_linkable_by(user)
        .filter(
            name_key=normalise_name(last_name, first_name),
            birth_date=birth_date,
        )
        .select_related("commune")
    )


def display_value(field, raw) -> str:
    """An audited raw value as the reader sees it, in the reader's language."""
    if raw is None or raw == "":
        return ""
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(raw, raw))
    if field.is_relation:
        # A many-to-many change is stored as the list of ids (``comparable_value``).
        ids = raw if isinstance(raw, list) else [raw]
        related = {
            obj.pk: str(obj)
            for obj in field.related_model._default_manager.filter(pk__in=ids)
        }
        return ", ".join(related.get(pk, str(pk)) for pk in ids)
    if isinstance(raw, bool):
        return gettext("Yes") if raw else gettext("No")
    if isinstance(field, DateField) and isinstance(raw, str):
        return date_format(datetime.date.fromisoformat(raw), "SHORT_DATE_FORMAT")
    return str(raw)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str
    by: str
    at: datetime.datetime
    name: str = ""
    raw_before: object = None


def changes_since(
    *, obj: CaseFile | YoungPerson | Note, version: int
) -> list[FieldChange]:
    """What others changed on a record after the version a form was opened on."""
    events = (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            object_version__gt=version,
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    changes = []
    for event in events:
        for field, change in event.changes.items():
            if is_personal_reference(change) or not isinstance(change, list):
                # A personal field: the trail keeps no value. "Now" is the
                # record's, which the reader has on the form anyway.
                before, after = opened_value(obj, field, change), None
                before_text, after_text = "", _current_text(obj, field)
                label = _field_label(obj, field)
            else:
                before, after = change
                try:
                    model_field = obj._meta.get_field(field)
                except FieldDoesNotExist:  # renamed since the event was written
                    label, before_text, after_text = field, str(before), str(after)
                else:
                    label = str(getattr(model_field, "verbose_name", field))
                    before_text = display_value(model_field, before)
                    after_text = display_value(model_field, after)
            changes.append(
                FieldChange(
                    field=label,
                    before=before_text,
                    after=after_text,
                    by=str(event.actor) if event.actor else "",
                    at=event.at,
                    name=field,
                    raw_before=before,
                )
            )
    return changes


def _field_label(obj, field: str) -> str:
    try:
        return str(getattr(obj._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field


def _current_text(obj, field: str) -> str:
    try:
        model_field = obj._meta.get_field(field)
    except FieldDoesNotExist:
        return ""
    value = getattr(obj, getattr(model_field, "attname", field), None)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return display_value(model_field, value)


# Counts on the dashboard are exact up to this, then "more than …": counting a busy
# caseload exactly would read all of it.
DASHBOARD_COUNT_LIMIT = 1000
# The rows of the dashboard's lists, each with a "see all" link to the case list.
DASHBOARD_ROWS = 20
DASHBOARD_OPEN_ROWS = 50
# The latest sharings with and by the organisation; the others on the sharing page.
DASHBOARD_SHARES_ROWS = 10
# The rows of each list of follow-ups (today, overdue, coming week).
DASHBOARD_FOLLOW_UP_ROWS = 8


def bounded_count(queryset: QuerySet) -> int:
    """The number of rows, exact up to ``DASHBOARD_COUNT_LIMIT``; one more than that
    (``DASHBOARD_COUNT_LIMIT + 1``) means "more than": a count over a LIMIT
    subquery, which stops reading there."""
    return queryset.order_by()[: DASHBOARD_COUNT_LIMIT + 1].count()


def my_open_case_files(user: User) -> QuerySet[CaseFile]:
    """The user's open case files: those of their own organisation they are the
    advisor of (which the gate always lets them see), read on the partial indexes
    ``casefile_open_by_*`` whatever the caseload."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.works_on_cases
        or user.organisation_id is None
    ):
        return CaseFile.objects.none()
    return CaseFile.objects.filter(
        advisor_id=user.pk, owner_organisation_id=user.organisation_id
    ).exclude(status=CaseFile.Status.CLOSED)


def recently_changed(
    cases: QuerySet[CaseFile], user: User, *, since: datetime.datetime, rows: int = 10
) -> QuerySet[CaseFile]:
    """The visible files changed since ``since``, newest first. On PostgreSQL the
    first ``rows`` of each source of files (``case_file_sources``) are read in that
    order from its own index and the list taken from their union: one ``OR`` over the
    table made PostgreSQL walk the whole table's ``updated_at`` index, skipping the
    other organisations' files (7,400 rows at 1,000,000 young people for 10 shown)."""
    recent = cases.filter(updated_at__gte=since).order_by("-updated_at", "-pk")
    sources = case_file_sources(user)
    if not sources or connections[recent.db].vendor != "postgresql":
        return recent
    keys = [recent.filter(source).values("pk")[:rows] for source in sources]
    return recent.filter(key_in_array(keys[0].union(*keys[1:])))


@dataclass(frozen=True)
class BoundedRows:
    """The first rows of a list, and whether it has more (read with one row more,
    without a count)."""

    rows: list
    more: bool


def _bounded_rows(queryset: QuerySet) -> BoundedRows:
    rows = DASHBOARD_FOLLOW_UP_ROWS
    found = list(queryset[: rows + 1])
    return BoundedRows(found[:rows], len(found) > rows)


def _bounded_shares(key: str, queryset: QuerySet[Share]) -> dict:
    """``key``: the first ``DASHBOARD_SHARES_ROWS`` sharings; ``key_more``: whether
    there are others (one row more is read, no count)."""
    found = list(queryset[: DASHBOARD_SHARES_ROWS + 1])
    return {
        key: found[:DASHBOARD_SHARES_ROWS],
        f"{key}_more": len(found) > DASHBOARD_SHARES_ROWS,
    }


def follow_up_lists(
    mine: QuerySet[CaseFile], *, today: datetime.date, due_by: datetime.date
) -> dict[str, QuerySet[CaseFile]]:
    """The user's open files (``mine``) whose next follow-up is today, overdue, or in
    the coming week, each in the order of the index ``casefile_open_by_follow_up``
    (advisor, next follow-up, id), so that a page of it stops early."""
    by_follow_up = mine.order_by("next_follow_up_on", "pk")
    return {
        "today": by_follow_up.filter(next_follow_up_on=today),
        "overdue": by_follow_up.filter(next_follow_up_on__lt=today),
        "coming": by_follow_up.filter(
            next_follow_up_on__gt=today, next_follow_up_on__lte=due_by
        ),
    }


def follow_up_list_queries(
    user: User, *, today: datetime.date, due_by: datetime.date
) -> dict[str, str]:
    """The case list's query strings of the user's open files whose next follow-up
    is today, overdue, or in the coming week: the complete lists behind the
    dashboard's "see all" links, paged like the case list."""
    common = [
        ("advisor", str(user.pk)),
        *(("status", status) for status in ("intake", "active", "follow_up")),
        ("sort", "follow_up"),
    ]
    yesterday = today - datetime.timedelta(days=1)
    tomorrow = today + datetime.timedelta(days=1)
    ranges = {
        "today": [("follow_up_from", today), ("follow_up_to", today)],
        "overdue": [("follow_up_to", yesterday)],
        "coming": [("follow_up_from", tomorrow), ("follow_up_to", due_by)],
    }
    return {
        key: urlencode([*common, *((name, day.isoformat()) for name, day in dates)])
        for key, dates in ranges.items()
    }


def dashboard_for_user(*, user: User) -> dict:
    """The advisor's day: open cases, follow-ups due, files gone quiet, changes. Each
    list is a bounded page read in the order of an index, with a bounded count, so
    a caseload of 40,000 files costs what one of 100 does.

    The last contact is the one kept on the file (``CaseFile.last_contact_on``: the
    notes the whole owner organisation reads, never another's private or internal
    note); the files are the user's organisation's own, so it is theirs to see."""
    today = timezone.localdate()
    cases = case_file_list_for_user(user=user)
    mine = (
        my_open_case_files(user)
        .select_related("young_person", "programme")
        .annotate(last_contact=F("last_contact_on"))
    )
    quiet_since = today - datetime.timedelta(days=30)
    due_by = today + datetime.timedelta(days=7)
    recent_since = timezone.now() - datetime.timedelta(
        days=settings.YOUTHTRACK_RECENT_DAYS
    )
    return {
        "my_open_cases": mine.order_by(
            F("next_follow_up_on").asc(nulls_last=True), "young_person__last_name"
        )[:DASHBOARD_OPEN_ROWS],
        "my_open_count": bounded_count(mine),
        "count_limit": DASHBOARD_COUNT_LIMIT,
        # Today first, then the overdue ones, then the coming week: three lists, each
        # read in the order of the index ``casefile_open_by_follow_up`` and stopped
        # one row past what is shown, which says whether "see all" is needed.
        **{
            f"follow_ups_{key}": _bounded_rows(rows)
            for key, rows in follow_up_lists(mine, today=today, due_by=due_by).items()
        },
        "follow_up_links": follow_up_list_queries(user, today=today, due_by=due_by),
        "gone_quiet": mine.filter(
            Q(last_contact_on__lt=quiet_since)
            | Q(last_contact_on__isnull=True, entry_date__lt=quiet_since)
        ).order_by(F("last_contact_on").asc(nulls_last=True), "pk")[:DASHBOARD_ROWS],
        "list_rows": DASHBOARD_ROWS,
        "recently_changed": recently_changed(cases, user, since=recent_since)[:10],
        **_bounded_shares("shared_with_us", shares_received_for_user(user=user)),
        **_bounded_shares("shared_by_us", shares_sent_for_user(user=user)),
        "today": today,
    }


# --- sharing ---


def shares_received_for_user(*, user: User) -> QuerySet[Share]:
    """Live sharings addressed to the user's organisation ("shared with us")."""
    if not user.is_authenticated or user.organisation_id is None:
        return Share.objects.none()
    if not user.reads_case_files:
        return Share.objects.none()
    return (
        Share.objects.filter(
            partner_id=user.organisation_id,
            status__in=[Share.Status.PENDING, Share.Status.ACCEPTED],
        )
        .filter(share_in_force())
        .select_related(
            "case_file__young_person",
            "case_file__programme",
            "case_file__owner_organisation",
            "created_by",
        )
        .order_by(
            Case(When(status=Share.Status.PENDING, then=0), default=1), "-created_at"
        )
    )


def shares_sent_for_user(*, user: User) -> QuerySet[Share]:
    """Live sharings of the user's organisation's case files ("shared by us")."""
    if not user.is_authenticated or not user.works_on_cases:
        return Share.objects.none()
    # Read newest first from the index of the live sharings by owner organisation
    # (``Share.owner_organisation``, the file's, copied when it was shared).
    return (
        Share.objects.filter(
            owner_organisation_id=user.organisation_id,
            status__in=[Share.Status.PENDING, Share.Status.ACCEPTED],
        )
        .select_related("case_file__young_person", "partner", "created_by")
        .order_by("-created_at", "-pk")
    )


def shares_received_ended_for_user(*, user: User) -> QuerySet[Share]:
    """Referrals to the user's organisation that are over (declined, revoked,
    expired, consent withdrawn), newest first: what the partner answered or lost.
    The page names them by file number only: the partner no longer sees the
    young person."""
    if (
        not user.is_authenticated
        or user.organisation_id is None
        or not user.reads_case_files
    ):
        return Share.objects.none()
    return (
        Share.objects.filter(partner_id=user.organisation_id)
        .exclude(status__in=[Share.Status.PENDING, Share.Status.ACCEPTED])
        .select_related(
            "case_file__young_person",
            "case_file__programme",
            "case_file__owner_organisation",
            "created_by",
            "answered_by",
        )
        .order_by("-created_at", "-pk")
    )


def shares_sent_ended_for_user(*, user: User) -> QuerySet[Share]:
    """The user's organisation's referrals that are over, newest first."""
    if not user.is_authenticated or not user.works_on_cases:
        return Share.objects.none()
    return (
        Share.objects.filter(case_file__owner_organisation_id=user.organisation_id)
        .exclude(status__in=[Share.Status.PENDING, Share.Status.ACCEPTED])
        .select_related(
            "case_file__young_person",
            "partner",
            "created_by",
            "answered_by__organisation",
        )
        .order_by("-created_at", "-pk")
    )


def share_decline_notices_for_user(*, user: User) -> QuerySet[Share]:
    """Referrals a partner declined that the user has not yet seen: those of the files
    they are the advisor of (or shared, when the file has no advisor), in their own
    organisation."""
    if not user.is_authenticated or not user.works_on_cases:
        return Share.objects.none()
    return (
        Share.objects.filter(
            case_file__owner_organisation_id=user.organisation_id,
            status=Share.Status.DECLINED,
            decline_seen_at__isnull=True,
        )
        .filter(
            Q(case_file__advisor_id=user.pk)
            | Q(case_file__advisor__isnull=True, created_by_id=user.pk)
        )
        .select_related("case_file__young_person", "partner", "answered_by")
        .order_by("-answered_at", "-pk")
    )


def shares_ending_with_consent(*, consent) -> list[Share]:
    """The live sharings a consent covers: withdrawing it ends them, and their
    partners lose access at once."""
    return list(
        consent.shares.filter(
            status__in=[Share.Status.PENDING, Share.Status.ACCEPTED]
        ).select_related("partner")
    )


def case_files_without_consent(*, user: User) -> QuerySet[CaseFile]:
    """The user's open files that hold no consent to keep them today, oldest entry
    first: to be asked for at the next contact. Read on the file's own
    ``keep_consent_until`` (index ``casefile_open_by_keep_consent``): only the files
    without one are read, whatever the caseload (checking every file's consents
    took half a second for the 40,000 open files of ``advisor.busy``)."""
    today = timezone.localdate()
    missing = my_open_case_files(user).filter(
        Q(keep_consent_until__isnull=True) | Q(keep_consent_until__lt=today)
    )
    if connections[missing.db].vendor == "postgresql":
        # Their keys first (= ANY(ARRAY(…))), on the index: sorted by entry date,
        # PostgreSQL walked the organisation's files by entry date when it thought
        # many lacked a consent (300 ms for advisor.busy's 53,000).
        missing = CaseFile.objects.filter(key_in_array(missing.order_by().values("pk")))
    return missing.select_related("young_person").order_by("entry_date", "pk")


def share_received_get_for_user(*, user: User, pk: int) -> Share:
    try:
        return shares_received_for_user(user=user).get(pk=pk)
    except Share.DoesNotExist:
        raise Http404 from None


def share_list_for_case_file(
    *, case_file: CaseFile, ended: bool = True
) -> QuerySet[Share]:
    """The sharings of a case file, for its owner organisation: the live ones, and
    with ``ended`` those declined, revoked or expired too."""
    shares = case_file.shares.select_related(
        "partner",
        "created_by",
        "answered_by__organisation",
        "ended_by",
        "consent",
    )
    if not ended:
        shares = shares.filter(status__in=[Share.Status.PENDING, Share.Status.ACCEPTED])
    return shares


# --- audit trail ---


def audit_events_for_case_file(*, user: User, case_file: CaseFile) -> QuerySet:
    """Who accessed or changed this file: shown to its owner organisation only."""
    if not can_read_audit_of(user, case_file):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(case_file=case_file).select_related(
        "actor", "organisation"
    )


def audit_events_for_admin(*, user: User) -> QuerySet:
    if not user.is_authenticated or user.role != User.Role.ADMIN:
        raise Http404
    return AuditEvent.objects.select_related("actor", "organisation")


AUDIT_PAGE_SIZE = 50


def audit_event_page_for_admin(
    *, user: User, params: QueryDict
) -> tuple[AuditEventFilter, Page]:
    """One page of the whole trail, newest first, as the query string filters it."""
    queryset = audit_events_for_admin(user=user)
    audit_filter = AuditEventFilter(params or None, queryset=queryset)
    if not audit_filter.is_bound:
        results = queryset
    elif audit_filter.is_valid():
        results = audit_filter.qs
    else:
        results = queryset.none()
    page = BoundedPaginator(results.order_by("-at", "-pk"), AUDIT_PAGE_SIZE).get_page(
        params.get("page")
    )
    return audit_filter, page


# --- the data protection officer ---

DPO_SEARCH_ROWS = 25


def dpo_person_search(
    *, user: User, name: str, birth_date: datetime.date | None
) -> list[YoungPerson]:
    """The young people of the officer's organisation's files whose name holds every
    word given and born on the date given (either may be missing); at most
    ``DPO_SEARCH_ROWS`` + 1, so that the page can say there are more."""
    people = dpo_young_people(user)
    for word in normalise_name(name).split():
        people = people.filter(name_key__contains=word)
    if birth_date is not None:
        people = people.filter(birth_date=birth_date)
    return list(
        people.select_related("commune").order_by("name_key", "birth_date", "pk")[
            : DPO_SEARCH_ROWS + 1
        ]
    )


def dpo_person_get(*, user: User, pk: int) -> YoungPerson:
    """A young person the officer answers for; 404 for anyone else."""
    person = (
        dpo_young_people(user)
        .select_related("gender", "commune", "created_by_organisation")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    return person


def dpo_person_case_files(*, user: User, person: YoungPerson) -> QuerySet[CaseFile]:
    return (
        dpo_case_files(user, person)
        .select_related("programme", "owner_organisation")
        .order_by("entry_date", "pk")
    )


# --- the case page's notes and read log, on pages of their own ---

# The latest notes the case page shows; the others are on the notes page.
CASE_PAGE_NOTES = 5
NOTES_PER_PAGE = 20
ACCESS_LOG_PER_PAGE = 50


def latest_notes_for_case_file(
    *, user: User, case_file: CaseFile
) -> tuple[list[Note], bool]:
    """The ``CASE_PAGE_NOTES`` latest notes the user may read, and whether there are
    more (one row more is read, no count)."""
    notes = list(
        note_list_for_user(user=user, case_file=case_file)[: CASE_PAGE_NOTES + 1]
    )
    return notes[:CASE_PAGE_NOTES], len(notes) > CASE_PAGE_NOTES


def note_page_for_case_file(
    *, user: User, case_file: CaseFile, page: str | None
) -> Page:
    """A page of the file's notes the user may read, newest first."""
    notes = note_list_for_user(user=user, case_file=case_file).order_by(
        "-contact_date", "-pk"
    )
    return BoundedPaginator(notes, NOTES_PER_PAGE).get_page(page)


@dataclass(frozen=True)
class AccessLogRow:
    """An event of the read log, or the user's own visits in a row grouped:
    ``count`` of them, the latest ``event``, the earliest at ``first_at``."""

    event: AuditEvent
    count: int = 1
    first_at: datetime.datetime | None = None

    @property
    def own_visits(self) -> bool:
        return self.count > 1


def group_own_visits(events, user: User) -> list[AccessLogRow]:
    """The events (newest first) with the user's own consecutive reads of the file
    made one row ("you, 5 times, last on …"); anyone else's stay one per row."""
    rows: list[AccessLogRow] = []
    for event in events:
        own_view = event.actor_id == user.pk and event.action == AuditEvent.Action.VIEW
        previous = rows[-1] if rows else None
        if (
            own_view
            and previous is not None
            and previous.event.actor_id == user.pk
            and previous.event.action == AuditEvent.Action.VIEW
        ):
            rows[-1] = AccessLogRow(previous.event, previous.count + 1, event.at)
        else:
            rows.append(AccessLogRow(event, 1, event.at))
    return rows


def access_log_page_for_case_file(
    *, user: User, case_file: CaseFile, page: str | None
) -> tuple[Page, list[AccessLogRow]]:
    """A page of who accessed or changed the file (its owner organisation only),
    newest first, with the user's own repeated visits grouped."""
    events = audit_events_for_case_file(user=user, case_file=case_file).order_by(
        "-at", "-pk"
    )
    current = BoundedPaginator(events, ACCESS_LOG_PER_PAGE).get_page(page)
    return current, group_own_visits(current.object_list, user)
