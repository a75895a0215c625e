"""The permission matrix, generated from the URL configuration.

Every URL of the site (the Django admin, ``set_language`` and static files aside) ×
every role × every kind of case file, with the status each must answer. On top of
the status, every response is searched for the personal data of the case files and
notes that role may not see, and a refused request must leave the database as it
was. A URL without an entry in ``RULES`` fails ``test_every_url_has_a_rule``: a new
view must say who may use it.

The data is built once for the module (inside a transaction rolled back at the end);
each test runs in its own savepoint, so that the writes the matrix allows vanish too.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programmes.models import Attendance, Enrolment
from tests.factories import reference as ref
from tests.factories.helpers import intake_post
from tests.factories.programmes import CohortFactory, SessionFactory, WalkInFactory
from youthtrack import services
from youthtrack.forms import CaseFileForm, YoungPersonForm
from youthtrack.models import Note, Operation, Share, User

from .sharing_helpers import (
    body,
    client_with_session,
    confirmed_device,
    db_snapshot,
    diff,
    form_post,
    make_case,
    make_note,
    make_user,
    note_strings,
    org,
    person_strings,
    record_sharing_consent,
    session_cookie,
    share_case,
    signed_in,
    verify_session,
)

Role = User.Role
Scope = Share.Scope
V = Note.Visibility

# --- the URL configuration -----------------------------------------------------------

# Left out of the matrix, and only these: the Django admin (its own permissions,
# see test_security.py and test_audit.py), the language switch, static files.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}


@dataclass(frozen=True)
class Url:
    name: str
    route: str
    params: tuple[str, ...]


def _params(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return tuple(converters)
    return tuple(getattr(getattr(pattern, "regex", None), "groupindex", {}) or ())


def walk(
    patterns=None, prefix: str = "", params: tuple[str, ...] = (), namespace: str = ""
) -> list[Url]:
    """Every URL of the site, includes followed (the admin and static files aside),
    named as ``reverse`` takes them ("programmes:cohort_detail")."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    found: list[Url] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            found += walk(
                entry.url_patterns,
                route,
                params + _params(entry.pattern),
                f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
            )
        elif isinstance(entry, URLPattern):
            if route.startswith(settings.STATIC_URL.lstrip("/")):
                continue
            if entry.name in SKIPPED_NAMES:
                continue
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>"
            found.append(Url(name, route, params + _params(entry.pattern)))
    return found


URLS = {url.name: url for url in walk()}

# --- who is who ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoleSpec:
    org: str | None
    role: str | None
    verified: bool = True  # an administrator who has passed the second factor


ROLES: dict[str, RoleSpec] = {
    # An advisor of the CDM, the organisation that owns the "own", "shared" and
    # "pending" case files; the one in charge of them, and the author of their notes.
    "owner_advisor": RoleSpec("cdm", Role.ADVISOR),
    # A project lead of the CDM who leads Uppercut, the programme of the "other" file.
    "lead": RoleSpec("cdm", Role.LEAD),
    # An advisor of another organisation, who keeps the "other" case file.
    "other_advisor": RoleSpec("pole-academique", Role.ADVISOR),
    # Partner staff of the organisations the "shared" file is shared with, one per
    # scope; Actiris also has a pending referral of the "pending" file.
    "partner_view": RoleSpec("actiris", Role.PARTNER),
    "partner_notes": RoleSpec("bruxelles-formation", Role.PARTNER),
    "partner_outcomes": RoleSpec("vdab", Role.PARTNER),
    # An advisor (not partner staff) of Actiris: shared files are the organisation's.
    "actiris_advisor": RoleSpec("actiris", Role.ADVISOR),
    # Partner staff of an organisation nothing is shared with (a declined referral).
    "partner_none": RoleSpec("fwb", Role.PARTNER),
    "admin": RoleSpec("cdm", Role.ADMIN),
    "admin_unverified": RoleSpec("cdm", Role.ADMIN, verified=False),
    # The CDM's data protection officer: opens no case file, finds the young people
    # of the CDM's files on the data protection pages (second factor passed).
    "dpo": RoleSpec("cdm", Role.DPO),
    "anonymous": RoleSpec(None, None),
}


@dataclass(frozen=True)
class CaseSpec:
    owner: str
    advisor: str
    programme: str
    person: tuple[str, str, str, str]  # first name, last name, phone, e-mail
    shared: dict[str, str] = field(default_factory=dict)  # accepted: org → scope
    pending: dict[str, str] = field(default_factory=dict)
    led_by: frozenset[str] = frozenset()


# Every case file is in Uppercut, whose project lead is "lead", and enrolled in one
# cohort of it, run by the CDM with Actiris as organising partner and "owner_advisor"
# as its advisor; its session has a walk-in recorded by the CDM.
CASES: dict[str, CaseSpec] = {
    "own": CaseSpec(
        "cdm",
        "owner_advisor",
        "uppercut",
        ("Zéphyrine", "Ownbrecht", "0471 10 20 30", "zephyrine.o@example.net"),
    ),
    "shared": CaseSpec(
        "cdm",
        "owner_advisor",
        "uppercut",
        ("Philomène", "Sharlemagne", "0472 20 30 40", "philomene.s@example.net"),
        shared={
            "actiris": Scope.VIEW,
            "bruxelles-formation": Scope.NOTES,
            "vdab": Scope.OUTCOMES,
        },
    ),
    "pending": CaseSpec(
        "cdm",
        "owner_advisor",
        "uppercut",
        ("Pétronille", "Pendergraaf", "0473 30 40 50", "petronille.p@example.net"),
        pending={"actiris": Scope.NOTES},
    ),
    "other": CaseSpec(
        "pole-academique",
        "other_advisor",
        "uppercut",
        ("Odilon", "Otterwijck", "0474 40 50 60", "odilon.o@example.net"),
        led_by=frozenset({"lead"}),
    ),
}

# (who writes it, visibility) for the notes of each case file. The first is the one
# the note URLs use: "a note of that case visible to its owner".
NOTES: dict[str, list[tuple[str, str]]] = {
    "own": [
        ("owner_advisor", V.ORGANISATION),
        ("owner_advisor", V.PRIVATE),
        ("owner_advisor", V.SHARED),
        ("lead", V.PRIVATE),
    ],
    "shared": [
        ("owner_advisor", V.ORGANISATION),
        ("owner_advisor", V.PRIVATE),
        ("owner_advisor", V.SHARED),
        ("lead", V.PRIVATE),
        ("partner_notes", V.ORGANISATION),
        ("partner_notes", V.SHARED),
        ("partner_outcomes", V.PRIVATE),
        ("partner_outcomes", V.ORGANISATION),
    ],
    "pending": [
        ("owner_advisor", V.ORGANISATION),
        ("owner_advisor", V.PRIVATE),
        ("owner_advisor", V.SHARED),
    ],
    "other": [
        ("other_advisor", V.ORGANISATION),
        ("other_advisor", V.PRIVATE),
        ("other_advisor", V.SHARED),
    ],
}

# --- the rules, as the issue states them ---------------------------------------------


def member(role: str) -> bool:
    """Signed in, and not an administrator or a data protection officer (who read no
    case file)."""
    return ROLES[role].role not in (None, Role.ADMIN, Role.DPO)


def dpo_finds(role: str, cat: str) -> bool:
    """A data protection officer finds the people of their organisation's files."""
    return ROLES[role].role == Role.DPO and ROLES[role].org == CASES[cat].owner


def works_on_cases(role: str) -> bool:
    return ROLES[role].role in (Role.ADVISOR, Role.LEAD)


def sees(role: str, cat: str) -> bool:
    spec, case = ROLES[role], CASES[cat]
    if not member(role):
        return False
    return (
        (works_on_cases(role) and spec.org == case.owner)
        or spec.org in case.shared
        or role in case.led_by
    )


def edits(role: str, cat: str) -> bool:
    return member(role) and works_on_cases(role) and ROLES[role].org == CASES[cat].owner


def merges(role: str, cat: str) -> bool:
    """Merging two records of a person: a project lead of the organisation that keeps
    every file of both (and leads the programme of one of them: "lead" leads
    Uppercut, the programme of every file here)."""
    return edits(role, cat) and ROLES[role].role == Role.LEAD


def adds_notes(role: str, cat: str) -> bool:
    scope = CASES[cat].shared.get(ROLES[role].org or "")
    return edits(role, cat) or scope in (Scope.NOTES, Scope.OUTCOMES)


def note_visible(role: str, cat: str, author: str, visibility: str) -> bool:
    if not sees(role, cat):
        return False
    if visibility == V.SHARED:
        return True
    if visibility == V.ORGANISATION:
        return ROLES[role].org == ROLES[author].org
    return role == author


# The referral the share URLs of each kind of case file use: live and addressed to
# Actiris for "shared" (accepted) and "pending"; declined by FWB for the others.
ANSWERED_SHARE_ORG = {"own": None, "shared": "actiris", "pending": "actiris"}


def answers_share(role: str, cat: str) -> bool:
    """The referral is live and addressed to the role's organisation."""
    return member(role) and ROLES[role].org == ANSWERED_SHARE_ORG.get(cat)


# The statuses.
LOGIN = "→ login"
SETUP = "→ two-factor setup"
TWO_FACTOR_EXEMPT = {"login", "logout", "otp_setup", "otp_verify"}

Expect = Callable[[str, str | None], int]


@dataclass(frozen=True)
class Rule:
    per_case: bool
    methods: dict[str, Expect]
    summary: str
    public: bool = False  # reachable without signing in
    # Path parameter → what it names, when not what its name says ("pk" is the case
    # file's number unless said otherwise).
    params: dict[str, str] = field(default_factory=dict)


def _case(permitted: Callable[[str, str], bool], ok: int) -> Expect:
    def expect(role: str, cat: str | None) -> int:
        assert cat is not None
        if not sees(role, cat):
            return 404
        return ok if permitted(role, cat) else 403

    return expect


def _note_edit(ok: int) -> Expect:
    def expect(role: str, cat: str | None) -> int:
        assert cat is not None
        author, visibility = NOTES[cat][0]
        if not note_visible(role, cat, author, visibility):
            return 404
        return ok if role == author else 403

    return expect


def _share_answer(role: str, cat: str | None) -> int:
    assert cat is not None
    return 302 if answers_share(role, cat) else 404


def _share_decline_page(role: str, cat: str | None) -> int:
    assert cat is not None
    return 200 if answers_share(role, cat) else 404


def _always(status: int) -> Expect:
    return lambda role, cat: status


def _works_on_cases(ok: int) -> Expect:
    return lambda role, cat: ok if works_on_cases(role) else 403


def _admin_only(role: str, cat: str | None) -> int:
    return 200 if ROLES[role].role == Role.ADMIN else 404


def _dpo_only(ok: int) -> Expect:
    return lambda role, cat: ok if ROLES[role].role == Role.DPO else 404


def _dpo_person(ok: int) -> Expect:
    def expect(role: str, cat: str | None) -> int:
        assert cat is not None
        return ok if dpo_finds(role, cat) else 404

    return expect


# The pages on which a data protection officer reads the people (and, in the right
# of access's export, the notes) of their organisation's files.
DPO_PAGES = {
    "dpo_person",
    "outcomes:person_erase",
    "outcomes:legal_hold",
    "outcomes:subject_access_export",
}


def _unless_verified(role: str, cat: str | None) -> int:
    # Only the administrator and the data protection officer have a device and a
    # verified session.
    return 302 if role in ("admin", "dpo") else 200


def _login(role: str, cat: str | None) -> int:
    return 200 if role == "anonymous" else 302


def see(role: str, cat: str) -> bool:
    return True


RULES: dict[str, Rule] = {
    "dashboard": Rule(False, {"GET": _always(200)}, "every signed-in user: 200"),
    "case_list": Rule(
        False,
        {"GET": _always(200), "POST": _always(302)},
        "every signed-in user: 200; a posted search is sent on to its token (302)",
    ),
    "case_list_export": Rule(False, {"GET": _always(200)}, "every signed-in user"),
    "shares": Rule(False, {"GET": _always(200)}, "every signed-in user: 200"),
    "intake": Rule(
        False,
        {"GET": _works_on_cases(200), "POST": _works_on_cases(302)},
        "advisors and leads; others 403",
    ),
    "audit_log": Rule(False, {"GET": _admin_only}, "administrators; others 404"),
    "dpo_people": Rule(
        False,
        {"GET": _dpo_only(200), "POST": _dpo_only(200)},
        "data protection officers (an empty search: the form again); others 404",
    ),
    "dpo_person": Rule(
        True,
        {"GET": _dpo_person(200)},
        "the data protection officer of the organisation keeping the file; else 404",
        params={"person_pk": "person"},
    ),
    "account": Rule(False, {"GET": _always(200)}, "every signed-in user"),
    "password_change": Rule(
        False,
        {"GET": _always(200), "POST": _always(200)},
        "every signed-in user (a wrong current password: the form again, 200)",
    ),
    "otp_setup": Rule(
        False, {"GET": _always(200), "POST": _always(200)}, "every signed-in user"
    ),
    "otp_verify": Rule(
        False,
        {"GET": _unless_verified, "POST": _unless_verified},
        "200; a verified session is sent on (302)",
    ),
    "login": Rule(
        False,
        {"GET": _login, "POST": _login},
        "anonymous 200; signed-in users are sent on (302)",
        public=True,
    ),
    "logout": Rule(
        False, {"GET": _always(405), "POST": _always(302)}, "POST only", public=True
    ),
    "favicon": Rule(
        False, {"GET": _always(302)}, "everyone: sent to the static icon", public=True
    ),
    "case_detail": Rule(True, {"GET": _case(see, 200)}, "who sees the file; else 404"),
    "case_export": Rule(True, {"GET": _case(see, 200)}, "who sees the file; else 404"),
    "case_notes": Rule(
        True, {"GET": _case(see, 200)}, "who sees the file (its notes they may read)"
    ),
    "case_access_log": Rule(
        True,
        {"GET": _case(edits, 200)},
        "the owner organisation's advisors and leads; who only sees it 403; else 404",
    ),
    "case_edit": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "owner organisation's advisors and leads; sees only 403; else 404",
    ),
    "person_edit": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit",
    ),
    "person_merge": Rule(
        True,
        {"GET": _case(merges, 200), "POST": _case(merges, 302)},
        "project leads of the owner organisation; sees only 403; else 404",
    ),
    "case_transition": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit",
    ),
    "consent_create": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit",
    ),
    "consent_withdraw": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit (GET: the confirmation page)",
    ),
    "case_share": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit",
    ),
    "share_revoke": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit (GET: the confirmation page)",
    ),
    "note_create": Rule(
        True,
        {"GET": _case(adds_notes, 200), "POST": _case(adds_notes, 302)},
        "owner's advisors and leads, partners with scope notes or outcomes",
    ),
    "note_edit": Rule(
        True,
        {"GET": _note_edit(200), "POST": _note_edit(302)},
        "the author; who sees the note 403; else 404",
    ),
    "share_answer": Rule(
        True,
        {"GET": _always(405), "POST": _share_answer},
        "POST only; the organisation the live referral is addressed to; else 404",
    ),
    "share_decline": Rule(
        True,
        {"GET": _share_decline_page, "POST": _share_answer},
        "the organisation the live referral is addressed to (GET: the page asking "
        "why); else 404",
    ),
}

# --- programmes (programmes/access.py) ---

COHORT_OWNER = "cdm"
COHORT_PARTNERS = {"actiris"}
COHORT_ADVISORS = {"owner_advisor"}
WALK_IN_ORG = "cdm"


def manages_cohort(role: str) -> bool:
    """Project leads of the organisation in charge, or of the programme."""
    return ROLES[role].role == Role.LEAD and (
        ROLES[role].org == COHORT_OWNER or role == "lead"
    )


def takes_attendance(role: str) -> bool:
    return works_on_cases(role) and (
        ROLES[role].org == COHORT_OWNER
        or ROLES[role].org in COHORT_PARTNERS
        or role in COHORT_ADVISORS
        or manages_cohort(role)
    )


def sees_walk_in(role: str) -> bool:
    return member(role) and ROLES[role].org in (WALK_IN_ORG, COHORT_OWNER)


def _programme_page(permitted: Callable[[str], bool] | None, ok: int) -> Expect:
    """Programmes, cohorts and sessions: every member sees them, administrators
    none (404); some pages need more (403)."""

    def expect(role: str, cat: str | None) -> int:
        if not member(role):  # administrators, data protection officers
            return 404
        if permitted is not None and not permitted(role):
            return 403
        return ok

    return expect


def _walk_in(ok: int) -> Expect:
    def expect(role: str, cat: str | None) -> int:
        if not sees_walk_in(role):
            return 404
        return ok if works_on_cases(role) else 403

    return expect


PROGRAMME_RULES: dict[str, Rule] = {
    "programmes:programme_list": Rule(False, {"GET": _always(200)}, "every user"),
    "programmes:calendar": Rule(False, {"GET": _always(200)}, "every user"),
    "programmes:contacts": Rule(
        False, {"GET": _works_on_cases(200)}, "advisors and leads; others 403"
    ),
    "programmes:programme_detail": Rule(
        False,
        {"GET": _programme_page(None, 200)},
        "members; administrators 404",
        params={"pk": "programme"},
    ),
    "programmes:programme_edit": Rule(
        False,
        {
            "GET": _programme_page(lambda r: r == "lead", 200),
            "POST": _programme_page(lambda r: r == "lead", 200),
        },
        "the programme's leads; members 403; administrators 404",
        params={"pk": "programme"},
    ),
    "programmes:cohort_create": Rule(
        False,
        {
            "GET": _programme_page(lambda r: ROLES[r].role == Role.LEAD, 200),
            "POST": _programme_page(lambda r: ROLES[r].role == Role.LEAD, 200),
        },
        "project leads; members 403; administrators 404",
        params={"programme_pk": "programme"},
    ),
    "programmes:cohort_detail": Rule(
        False,
        {"GET": _programme_page(None, 200)},
        "members; administrators 404",
        params={"pk": "cohort"},
    ),
    "programmes:cohort_attendance_csv": Rule(
        False,
        {"GET": _programme_page(None, 200)},
        "members (visible participants only); administrators 404",
        params={"pk": "cohort"},
    ),
    "programmes:cohort_edit": Rule(
        False,
        {
            "GET": _programme_page(manages_cohort, 200),
            "POST": _programme_page(manages_cohort, 200),
        },
        "leads who manage the cohort; members 403; administrators 404",
        params={"pk": "cohort"},
    ),
    "programmes:session_create": Rule(
        False,
        {
            "GET": _programme_page(manages_cohort, 200),
            "POST": _programme_page(manages_cohort, 200),
        },
        "as cohort_edit",
        params={"cohort_pk": "cohort"},
    ),
    "programmes:cohort_enrol": Rule(
        False,
        {
            "GET": _programme_page(works_on_cases, 200),
            "POST": _programme_page(works_on_cases, 200),
        },
        "advisors and leads; partner staff 403; administrators 404",
        params={"pk": "cohort"},
    ),
    "programmes:session_register": Rule(
        False,
        {
            "GET": _programme_page(None, 200),
            "POST": _programme_page(takes_attendance, 200),
        },
        "members read it; who takes attendance writes it (403); admins 404",
        params={"pk": "session"},
    ),
    "programmes:session_edit": Rule(
        False,
        {
            "GET": _programme_page(manages_cohort, 200),
            "POST": _programme_page(manages_cohort, 200),
        },
        "as cohort_edit",
        params={"pk": "session"},
    ),
    "programmes:session_pdf": Rule(
        False,
        {"GET": _programme_page(None, 200)},
        "members (visible participants only); administrators 404",
        params={"pk": "session"},
    ),
    "programmes:session_csv": Rule(
        False,
        {"GET": _programme_page(None, 200)},
        "members (visible participants only); administrators 404",
        params={"pk": "session"},
    ),
    "programmes:walk_in_create": Rule(
        False,
        {"GET": _always(405), "POST": _programme_page(takes_attendance, 200)},
        "POST only; who takes attendance (an empty form: the register again, with "
        "its errors); members 403; administrators 404",
        params={"session_pk": "session"},
    ),
    "programmes:walk_in_convert": Rule(
        False,
        {"GET": _walk_in(200), "POST": _walk_in(200)},
        "advisors of the recording or owning organisation; its partner staff 403; "
        "others 404",
        params={"pk": "walk_in"},
    ),
    "programmes:walk_in_intake": Rule(
        False,
        {"GET": _walk_in(200), "POST": _walk_in(200)},
        "youthtrack's intake from a walk-in: as walk_in_convert (an empty form "
        "posted is shown again)",
        params={"pk": "walk_in"},
    ),
    "programmes:enrolment_withdraw": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 200)},
        "who edits the case file; who sees it 403; else 404",
        params={"pk": "enrolment"},
    ),
    "programmes:case_enrol": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 200)},
        "who edits the case file; who sees it 403; else 404",
        params={"case_pk": "case"},
    ),
}
RULES.update(PROGRAMME_RULES)

# --- outcomes: distance travelled and goals (outcomes/progress) ---


def records_outcome(role: str, cat: str) -> bool:
    """The case file's editors and partners with the outcomes scope
    (``youthtrack.access.can_record_outcome``)."""
    scope = CASES[cat].shared.get(ROLES[role].org or "")
    return edits(role, cat) or scope == Scope.OUTCOMES


PROGRESS_RULES: dict[str, Rule] = {
    "outcomes:assessment_edit": Rule(
        True,
        {"GET": _case(records_outcome, 200), "POST": _case(records_outcome, 302)},
        "owner's advisors and leads, partners with scope outcomes; who sees the "
        "file 403; else 404",
    ),
    "outcomes:goal_create": Rule(
        True,
        {"GET": _case(records_outcome, 200), "POST": _case(records_outcome, 302)},
        "as assessment_edit",
    ),
    "outcomes:goal_edit": Rule(
        True,
        {"GET": _case(records_outcome, 200), "POST": _case(records_outcome, 302)},
        "as assessment_edit (a goal of that case file)",
        params={"goal_pk": "goal"},
    ),
}
RULES.update(PROGRESS_RULES)

# --- outcomes: records, exit, follow-ups (outcomes/records) ---

RECORD_RULES: dict[str, Rule] = {
    "outcomes:exit": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit (closing asks the situation upon leaving)",
    ),
    "outcomes:outcome_create": Rule(
        True,
        {"GET": _case(records_outcome, 200), "POST": _case(records_outcome, 302)},
        "as assessment_edit",
    ),
    "outcomes:evidence_download": Rule(
        True,
        {"GET": _case(see, 200)},
        "who sees the file; else 404 (an outcome of that case file)",
        params={"outcome_pk": "outcome"},
    ),
    "outcomes:follow_up_answer": Rule(
        True,
        {"GET": _case(records_outcome, 200), "POST": _case(records_outcome, 302)},
        "as assessment_edit (a follow-up of that case file)",
        params={"follow_up_pk": "follow_up"},
    ),
    "outcomes:follow_up_list": Rule(
        False, {"GET": _always(200)}, "every signed-in user: their own follow-ups"
    ),
}
RULES.update(RECORD_RULES)

# --- outcomes: funder reports (outcomes/reports) ---


def _lead_only(ok: int) -> Expect:
    """Project leads (of their organisation's reports); everyone else 403."""
    return lambda role, cat: ok if ROLES[role].role == Role.LEAD else 403


REPORT_RULES: dict[str, Rule] = {
    "outcomes:report_list": Rule(
        False,
        {"GET": _lead_only(200), "POST": _lead_only(302)},
        "project leads (ask for a report of a programme they lead); others 403",
    ),
    "outcomes:report_quality": Rule(
        False, {"GET": _lead_only(200)}, "project leads; others 403"
    ),
    "outcomes:report_detail": Rule(
        False,
        {"GET": _lead_only(200)},
        "leads of the report's organisation; others 403 (other organisations' 404)",
        params={"job_pk": "report_job"},
    ),
    "outcomes:report_download": Rule(
        False,
        {"GET": _lead_only(200)},
        "as report_detail; audited",
        params={"job_pk": "report_job", "fmt": "report_format"},
    ),
    "outcomes:report_drilldown": Rule(
        False,
        {"GET": _lead_only(200)},
        "as report_detail; lists only the case files the lead may see",
        params={"job_pk": "report_job", "code": "report_code"},
    ),
}
RULES.update(REPORT_RULES)

# --- outcomes: import of past records (outcomes/imports) ---


IMPORT_RULES: dict[str, Rule] = {
    "outcomes:import_records": Rule(
        False,
        {"GET": _lead_only(200), "POST": _lead_only(200)},
        "project leads (an empty form is shown again); others 403",
    ),
    "outcomes:import_template": Rule(
        False, {"GET": _lead_only(200)}, "project leads; others 403"
    ),
    "outcomes:import_run": Rule(
        False,
        {"GET": _lead_only(200), "POST": _lead_only(404)},
        "the lead who uploaded it (it quotes their file); others 403; imported "
        "already: nothing to import again (404)",
        params={"pk": "import_run"},
    ),
}
RULES.update(IMPORT_RULES)

# --- outcomes: erasure on request and legal hold (outcomes/privacy) ---


def holds(role: str, cat: str) -> bool:
    """Setting or lifting a legal hold: the project leads and the data protection
    officer of the organisation that keeps the file."""
    spec = ROLES[role]
    return spec.role in (Role.LEAD, Role.DPO) and spec.org == CASES[cat].owner


def _holds(ok: int) -> Expect:
    def expect(role: str, cat: str | None) -> int:
        assert cat is not None
        return ok if holds(role, cat) else 404

    return expect


PRIVACY_RULES: dict[str, Rule] = {
    "outcomes:person_erase": Rule(
        True,
        # Every file here is open: the officer is shown why the person cannot be
        # erased yet (the page again, 200), and nothing changes.
        {"GET": _dpo_person(200), "POST": _dpo_person(200)},
        "the data protection officer of the organisation keeping the file; else 404",
        params={"pk": "person"},
    ),
    "outcomes:legal_hold": Rule(
        True,
        {"GET": _holds(200), "POST": _holds(302)},
        "project leads and the data protection officer of the owner organisation; "
        "else 404",
    ),
}
RULES.update(PRIVACY_RULES)

# --- outcomes: pseudonymised statistics (outcomes/statistics) ---


def _exports_statistics(ok: int) -> Expect:
    return lambda role, cat: ok if ROLES[role].role in (Role.LEAD, Role.DPO) else 403


RULES["outcomes:statistics_export"] = Rule(
    False,
    {"GET": _exports_statistics(200), "POST": _exports_statistics(200)},
    "project leads (their programmes) and data protection officers (their "
    "organisation's files; the file holds no personal data); others 403",
)

# --- outcomes: the right of access (outcomes/subject_access) ---

RULES["outcomes:subject_access_export"] = Rule(
    True,
    {"GET": _always(405), "POST": _dpo_person(200)},
    "POST only; the data protection officer of the organisation keeping the file "
    "(the JSON export); else 404",
    params={"person_pk": "person"},
)

# URL variants: a path parameter that takes several values.
# (Declining has its own URL, share_decline, which asks for a reason first.)
VARIANTS: dict[str, list[str]] = {"share_answer": ["accept"]}

# --- the data, built once ------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    cases: dict[str, Any]
    notes: dict[str, list[tuple[Any, str, str]]]  # note, author role, visibility
    consents: dict[str, Any]
    revoke_share: dict[str, Any]
    answer_share: dict[str, Any]
    sessions: dict[str, str | None]
    post_data: dict[tuple[str, str | None], dict[str, str]]
    objects: dict[str, Any]  # the programme, cohort, session and walk-in
    enrolments: dict[str, Any]


def _build() -> World:
    users = {
        name: make_user(name, org_code=spec.org, role=spec.role)
        for name, spec in ROLES.items()
        if spec.org is not None
    }
    users["lead"].programmes_led.add(ref.programme("uppercut"))
    device = confirmed_device(users["admin"])

    cases, consents, revoke_share, answer_share = {}, {}, {}, {}
    fwb = org("fwb")
    for cat, spec in CASES.items():
        owner = users[spec.advisor]
        first, last, phone, email = spec.person
        case = make_case(
            advisor=owner,
            first_name=first,
            last_name=last,
            phone=phone,
            email=email,
            programme=spec.programme,
        )
        cases[cat] = case
        # Consent to share with FWB: the consent the consent URLs use, and what lets
        # a permitted POST to case_share succeed.
        consents[cat] = record_sharing_consent(case, owner, fwb)
        for code, scope in spec.shared.items():
            partner_user = next(
                users[r]
                for r, s in ROLES.items()
                if s.org == code and s.role == Role.PARTNER
            )
            share = share_case(
                case, owner=owner, partner_user=partner_user, scope=scope
            )
            revoke_share.setdefault(cat, share)
            answer_share.setdefault(cat, share)
        for code, scope in spec.pending.items():
            partner_user = next(
                users[r]
                for r, s in ROLES.items()
                if s.org == code and s.role == Role.PARTNER
            )
            share = share_case(
                case, owner=owner, partner_user=partner_user, scope=scope, accept=False
            )
            revoke_share.setdefault(cat, share)
            answer_share.setdefault(cat, share)
        if cat not in revoke_share:
            # A referral FWB declined: ended, it gives nobody anything.
            share = services.case_file_share(
                case_file=case,
                acting_user=owner,
                partner=fwb,
                purpose="Orientation",
                scope=Scope.VIEW,
            )
            services.share_decline(
                share=share, acting_user=users["partner_none"], reason="Pas de place"
            )
            revoke_share[cat] = answer_share[cat] = share

    notes: dict[str, list] = {}
    for cat, specs in NOTES.items():
        notes[cat] = []
        for index, (author, visibility) in enumerate(specs):
            tag = f"[{cat}/{author}/{visibility}/{index}]"
            note = make_note(
                cases[cat],
                users[author],
                visibility,
                text=f"Confidences {tag} sur sa situation familiale.",
                topic=f"Entretien {tag}",
            )
            notes[cat].append((note, author, visibility))

    objects, enrolments = _build_programmes(users, cases)
    objects["goals"] = _build_goals(users, cases)
    objects["outcomes"], objects["follow_ups"] = _build_outcomes(users, cases)
    objects["report_job"] = _build_report_job(users)
    objects["import_run"] = _build_import_run(users)

    sessions: dict[str, str | None] = {"anonymous": None}
    for name, user in users.items():
        client = signed_in(user)
        if ROLES[name].role == Role.ADMIN and ROLES[name].verified:
            verify_session(client, device)
        elif ROLES[name].role == Role.DPO:
            verify_session(client, confirmed_device(user))
        sessions[name] = session_cookie(client)

    return World(
        users=users,
        cases=cases,
        notes=notes,
        consents=consents,
        revoke_share=revoke_share,
        answer_share=answer_share,
        sessions=sessions,
        post_data=_post_data(cases, notes, users, objects),
        objects=objects,
        enrolments=enrolments,
    )


def _build_goals(users, cases) -> dict[str, Any]:
    """A goal of each case file's action plan, set by its advisor."""
    from outcomes.progress.services import goal_create

    return {
        cat: goal_create(
            case_file=case,
            acting_user=users[CASES[cat].advisor],
            data={"text": "Trouver un stage", "target_date": timezone.localdate()},
        )
        for cat, case in cases.items()
    }


def _build_outcomes(users, cases) -> tuple[dict[str, Any], dict[str, Any]]:
    """An outcome with an evidence document, and a follow-up due, of each case file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from outcomes.models import FollowUp
    from outcomes.records.services import evidence_check, outcome_record

    outcomes, follow_ups = {}, {}
    for cat, case in cases.items():
        document = SimpleUploadedFile("attestation.pdf", b"%PDF-1.4\n%%EOF\n")
        outcomes[cat] = outcome_record(
            case_file=case,
            acting_user=users[CASES[cat].advisor],
            data={
                "kind": "job_search",
                "start_date": timezone.localdate(),
                "source": "young_person",
            },
            evidence=evidence_check(document),
        )
        follow_ups[cat] = FollowUp.objects.create(
            case_file=case, kind="upon_leaving", due_on=timezone.localdate()
        )
    return outcomes, follow_ups


def _build_import_run(users) -> Any:
    """A file the CDM's project lead imported (its upload no longer kept)."""
    from outcomes.models import ImportRun

    return ImportRun.objects.create(
        organisation=users["lead"].organisation,
        user=users["lead"],
        file_name="records-2019.xlsx",
        sha256="0" * 64,
        status=ImportRun.Status.IMPORTED,
        counts={"people": {"created": 3, "updated": 0, "unchanged": 0}},
        progress=100,
    )


def _build_report_job(users) -> Any:
    """A done ESF+ report of the CDM, asked for by its project lead on an operation
    of the programme they lead (a lead reads only those), with its PDF."""
    from django.core.files.base import ContentFile

    from outcomes.models import ReportFile, ReportJob

    operation = Operation.objects.create(
        reference="UPPERCUT-ESFPLUS-MATRIX",
        programme=ref.programme("uppercut"),
        rule_set="esfplus2021",
        start=datetime.date(2021, 1, 1),
        end=datetime.date(2027, 12, 31),
    )
    job = ReportJob.objects.create(
        organisation=users["lead"].organisation,
        requested_by=users["lead"],
        rule_set="esfplus2021",
        operation=operation,
        date_from=datetime.date(2025, 1, 1),
        date_to=datetime.date(2025, 12, 31),
        formats=["pdf"],
        status=ReportJob.Status.DONE,
        progress=100,
        result={
            "indicators": {
                "EECO01": {"women": 1, "men": 0, "non_binary": 0, "total": 1}
            },
            "labels": {"EECO01": "Participants"},
            "checksum": "abc",
        },
        checksum="abc",
    )
    report_file = ReportFile(job=job, format="pdf", size=9)
    report_file.file.save("report.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return job


WALK_IN_NAME = "Wilhelmina-Walkin"


def _build_programmes(users, cases) -> tuple[dict[str, Any], dict[str, Any]]:
    cohort = CohortFactory(
        programme=ref.programme("uppercut"),
        owner_organisation=org(COHORT_OWNER),
        created_by=users["lead"],
        advisors=[users[name] for name in COHORT_ADVISORS],
        partners=[org(code) for code in COHORT_PARTNERS],
        # Under way, and its session held, whatever the hour the suite runs at (a
        # session at 9:30 today had not started before 9:30: its register refused).
        start_date=timezone.localdate() - datetime.timedelta(days=7),
    )
    session = SessionFactory(
        cohort=cohort,
        created_by=users["lead"],
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    enrolments = {}
    for cat, case in cases.items():
        enrolments[cat] = Enrolment.objects.create(
            cohort=cohort,
            case_file=case,
            status=Enrolment.Status.ENROLLED,
            enrolled_at=timezone.now(),
            created_by=case.advisor,
        )
        Attendance.objects.create(
            session=session,
            case_file=case,
            status=Attendance.Status.PRESENT,
            presence=Attendance.Presence.ON_SITE,
            recorded_by=users["owner_advisor"],
            updated_by=users["owner_advisor"],
        )
    walk_in = WalkInFactory(
        session=session,
        first_name=WALK_IN_NAME,
        organisation=org(WALK_IN_ORG),
        recorded_by=users["owner_advisor"],
    )
    objects = {
        "programme": cohort.programme,
        "cohort": cohort,
        "session": session,
        "walk_in": walk_in,
    }
    return objects, enrolments


def _post_data(
    cases, notes, users, objects
) -> dict[tuple[str, str | None], dict[str, str]]:
    today = timezone.localdate()
    note_data = {
        "contact_date": today.isoformat(),
        "channel": "in_person",
        "topic": "Appel de suivi",
        "text": "Rendez-vous fixé.",
        "visibility": V.ORGANISATION,
    }
    data: dict[tuple[str, str | None], Any] = {
        ("outcomes:report_list", None): {
            "rule_set": "actiris",
            "operation": str(
                Operation.objects.get(reference="UPPERCUT-ACTIRIS-2026-2027").pk
            ),
            "date_from": "2026-01-01",
            "date_to": "2026-06-30",
            "formats": ["json"],
        },
        ("intake", None): intake_post(),
        ("outcomes:statistics_export", None): {
            "programme": str(ref.programme("uppercut").pk),
            "format": "csv",
        },
        ("login", None): {"username": "owner_advisor", "password": "not-the-password"},
        ("logout", None): {},
        ("otp_setup", None): {"token": "abcdef"},
        ("otp_verify", None): {"token": "abcdef"},
    }
    for cat, case in cases.items():
        advisor = case.advisor
        data[("case_edit", cat)] = form_post(
            CaseFileForm(instance=case, user=advisor),
            next_follow_up_on=today + datetime.timedelta(days=10),
        )
        data[("person_edit", cat)] = form_post(
            YoungPersonForm(instance=case.young_person), other_languages="Lingala"
        )
        # Merged with another person of the CDM, keeping this file's person.
        data[("person_merge", cat)] = {
            "with": str(cases["pending" if cat == "own" else "own"].young_person_id),
            "keep": str(case.young_person_id),
        }
        data[("case_transition", cat)] = {
            "version": str(case.version),
            "effective_date": today.isoformat(),
            "comment": "Passage en suivi",
        }
        data[("note_create", cat)] = note_data
        data[("outcomes:subject_access_export", cat)] = {
            "language": "fr",
            "format": "json",
        }
        note = notes[cat][0][0]
        data[("note_edit", cat)] = {**note_data, "version": str(note.version)}
        data[("consent_create", cat)] = {
            "purpose": "processing",
            "partner": "",
            "scope": "",
            "given_by": "self",
            "guardian_name": "",
            "given_on": today.isoformat(),
            "expires_on": "",
        }
        data[("consent_withdraw", cat)] = {
            "withdrawn_on": today.isoformat(),
            "confirm": "1",
        }
        data[("case_share", cat)] = {
            "partner": str(org("fwb").pk),
            "purpose": "Orientation vers une formation",
            "scope": Scope.VIEW,
            "end_date": "",
        }
        data[("share_revoke", cat)] = {"confirm": "1"}
        data[("share_answer", cat)] = {}
        data[("share_decline", cat)] = {"confirm": "1", "reason": "Pas de place"}
        data[("programmes:case_enrol", cat)] = {"cohort": str(objects["cohort"].pk)}
        scores = {
            name: "5"
            for name in (
                "confidence",
                "project_clarity",
                "job_search",
                "digital",
                "mobility",
                "languages",
            )
        }
        data[("outcomes:assessment_edit", cat)] = {
            "assessed_on": today.isoformat(),
            **scores,
        }
        data[("outcomes:exit", cat)] = {
            "version": str(case.version),
            "exit_date": today.isoformat(),
            "exit_reason": "completed",
            "outcome-kind": "",
        }
        data[("outcomes:outcome_create", cat)] = {
            "kind": "job_search",
            "start_date": today.isoformat(),
            "source": "actiris",
            "verification_note": "Inscrite chez Actiris",
        }
        data[("outcomes:follow_up_answer", cat)] = {
            "situation": "unreachable",
            "attempts": "5",
        }
        data[("outcomes:person_erase", cat)] = {"reason": "Demande", "confirm": "on"}
        data[("outcomes:legal_hold", cat)] = {"set": "1", "reason": "Audit FSE+"}
        goal_data = {"text": "Trouver un stage", "target_date": today.isoformat()}
        data[("outcomes:goal_create", cat)] = goal_data
        data[("outcomes:goal_edit", cat)] = {
            **goal_data,
            "status": "achieved",
            "reviewed_on": today.isoformat(),
            "review_note": "Stage trouvé",
            "version": str(objects["goals"][cat].version),
        }
    return data


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = _build()
            yield built
            transaction.set_rollback(True)


def _kwargs(url: Url, cat: str | None, variant: str | None, w: World) -> dict:
    rule = RULES[url.name]
    values: dict[str, Any] = {}
    for param in url.params:
        source = rule.params.get(param, param)
        if source in ("pk", "case"):
            values[param] = w.cases[cat].pk
        elif source == "person":
            values[param] = w.cases[cat].young_person_id
        elif source == "goal":
            values[param] = w.objects["goals"][cat].pk
        elif source in ("outcome", "follow_up"):
            values[param] = w.objects[f"{source}s"][cat].pk
        elif source == "moment":
            values[param] = "entry"
        elif source == "enrolment":
            values[param] = w.enrolments[cat].pk
        elif source in w.objects:
            values[param] = w.objects[source].pk
        elif source == "note_pk":
            values[param] = w.notes[cat][0][0].pk
        elif source == "consent_pk":
            values[param] = w.consents[cat].pk
        elif source == "share_pk":
            answers = url.name in ("share_answer", "share_decline")
            share = w.answer_share if answers else w.revoke_share
            values[param] = share[cat].pk
        elif source == "report_format":
            values[param] = "pdf"
        elif source == "report_code":
            values[param] = "EECO01"
        elif source == "answer":
            values[param] = variant
        elif source == "to_status":
            values[param] = "follow_up"
        else:
            raise AssertionError(f"{url.name}: no value for the parameter {param!r}")
    return values


def hidden_strings(role: str, w: World, name: str = "") -> list[str]:
    """Personal data the role may not see anywhere: the people of the case files it
    does not see, and the notes it may not read on those it does (on the data
    protection pages, the officer reads the people of their organisation's files)."""
    strings: list[str] = []
    for cat, case in w.cases.items():
        if name in DPO_PAGES and dpo_finds(role, cat):
            continue
        if not sees(role, cat):
            person = person_strings(case)
            if CASES[cat].pending.get(ROLES[role].org or ""):
                # A pending referral names the young person by first name and
                # initial, so that the partner can answer it; nothing more.
                person.remove(case.young_person.first_name)
            strings += person
        for note, author, visibility in w.notes[cat]:
            if not note_visible(role, cat, author, visibility):
                strings += note_strings(note)
    if not sees_walk_in(role):
        strings.append(WALK_IN_NAME)
    return strings


# --- the matrix ----------------------------------------------------------------------


def _cases() -> list:
    params = []
    for name in sorted(set(URLS) | set(RULES)):
        rule = RULES.get(name)
        methods = sorted(rule.methods) if rule else ["GET"]
        cats: list[str | None] = list(CASES) if rule and rule.per_case else [None]
        for variant in VARIANTS.get(name, [None]):
            for method in methods:
                for role in ROLES:
                    for cat in cats:
                        label = "-".join(
                            str(part)
                            for part in (name, variant, method, role, cat)
                            if part is not None
                        )
                        params.append(
                            pytest.param(name, variant, method, role, cat, id=label)
                        )
    return params


def expected_status(name: str, method: str, role: str, cat: str | None) -> int | str:
    rule = RULES[name]
    if role == "anonymous" and not rule.public:
        return LOGIN
    if (
        ROLES[role].role == Role.ADMIN
        and not ROLES[role].verified
        and name not in TWO_FACTOR_EXEMPT
    ):
        return SETUP
    return rule.methods[method](role, cat)


@pytest.mark.parametrize(("name", "variant", "method", "role", "cat"), _cases())
def test_matrix(world, db, name, variant, method, role, cat):
    assert name in URLS, f"RULES has {name!r}, which is not a URL any more"
    assert name in RULES, f"no rule for the URL {name!r}"
    url = URLS[name]
    path = reverse(name, kwargs=_kwargs(url, cat, variant, world))
    expected = expected_status(name, method, role, cat)
    refused_write = method == "POST" and expected in (LOGIN, SETUP, 403, 404, 405)
    client = client_with_session(world.sessions[role])
    before = db_snapshot() if refused_write else None

    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, world.post_data.get((name, cat), {}))

    if expected == LOGIN:
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login") + "?next="), path
    elif expected == SETUP:
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("otp_setup") + "?next="), path
    else:
        assert response.status_code == expected, (
            f"{method} {path} as {role}: {response.status_code}, expected {expected}"
        )
    text = body(response)
    leaks = [value for value in hidden_strings(role, world, name) if value in text]
    assert not leaks, f"{method} {path} as {role} shows {leaks}"
    if before is not None:
        changed = diff(before, db_snapshot())
        assert not changed, f"refused {method} {path} as {role} changed {changed}"


def test_every_url_has_a_rule():
    missing = sorted(set(URLS) - set(RULES))
    assert not missing, f"URLs without a rule in the permission matrix: {missing}"


def test_every_rule_is_a_url():
    stale = sorted(set(RULES) - set(URLS))
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_the_matrix_covers_every_role_and_kind_of_case_file():
    """Guards the generator: each URL is tried by every role, the case-file URLs
    on every kind of case file."""
    combos = {(p.values[0], p.values[3], p.values[4]) for p in _cases()}
    for name, rule in RULES.items():
        for role in ROLES:
            for cat in CASES if rule.per_case else [None]:
                assert (name, role, cat) in combos


# --- administrators and their second factor ------------------------------------------


def test_an_administrator_without_a_device_is_sent_to_the_setup_from_every_page(
    world, db
):
    """The matrix checks it URL by URL; here the admin site and set_language too."""
    client = client_with_session(world.sessions["admin_unverified"])
    setup = reverse("otp_setup")
    paths = ["/admin/", "/admin/youthtrack/auditevent/", "/admin/youthtrack/user/"]
    for name, url in URLS.items():
        if name in TWO_FACTOR_EXEMPT or url.params:
            continue
        paths.append(reverse(name))
    paths.append(reverse("case_detail", kwargs={"pk": world.cases["own"].pk}))
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{setup}?next={path.replace('/', '%2F')}"


def test_a_verified_administrator_reads_the_audit_trail_but_no_case_file(world, db):
    client = client_with_session(world.sessions["admin"])
    assert client.get(reverse("audit_log")).status_code == 200
    for case in world.cases.values():
        for name in ("case_detail", "case_export", "case_edit", "note_create"):
            response = client.get(reverse(name, kwargs={"pk": case.pk}))
            assert response.status_code == 404
    listing = client.get(reverse("case_list"))
    assert listing.context["page"].paginator.count == 0


# --- figures go through the gate ------------------------------------------------------
#
# Every figure a user is shown (dashboard counts, the case list's count, contacts for
# the activity figures, cohort and session counts, waiting lists, export rows) is
# computed, then records that user may not see are added (another organisation's
# files, others' internal and private notes on the files the user sees, a revoked
# sharing, other organisations' enrolments and attendance), and the figures computed
# again: they must not move. The organisation in charge of the cohort is the one
# documented exception: it manages the cohort's places, so its totals count every
# participant and it is told how many it cannot see; those totals must move by
# exactly what was added.

FIGURE_ROLES = [name for name in ROLES if member(name)]


def _ids(rows) -> set[int]:
    return {row.pk for row in rows}


def figures(user: User, w: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the figures that must not move, the in-charge totals of the cohort)."""
    from django.http import QueryDict

    from programmes import access as programme_access
    from programmes import selectors as programme_selectors
    from youthtrack import selectors

    today = timezone.localdate()
    dash = selectors.dashboard_for_user(user=user)
    _filter, page = selectors.case_file_page_for_user(user=user, params=QueryDict())
    _filter, export_rows = selectors.case_file_filtered_for_user(
        user=user, params=QueryDict()
    )
    contacts = programme_selectors.contacts_for_period(
        user=user, start=today - datetime.timedelta(days=365), end=today
    )
    cohort, session = w.objects["cohort"], w.objects["session"]
    in_charge = programme_access.sees_hidden_count(user, cohort)
    cohort = programme_selectors.cohort_get_for_user(user=user, pk=cohort.pk)
    rows = programme_selectors.participant_rows(user=user, cohort=cohort)
    summary = programme_selectors.cohort_summary(user=user, cohort=cohort, rows=rows)
    cohorts = programme_selectors.cohort_list_for_user(user=user)
    sessions = programme_selectors.cohort_sessions(user=user, cohort=cohort)
    visible_cases = list(selectors.case_file_list_for_user(user=user))
    fixed = {
        "dashboard: my open count": dash["my_open_count"],
        "dashboard: my open cases, last contact": {
            (case.pk, case.last_contact) for case in dash["my_open_cases"]
        },
        "dashboard: follow-ups due": [
            _ids(dash[f"follow_ups_{key}"].rows)
            for key in ("today", "overdue", "coming")
        ],
        "dashboard: gone quiet": _ids(dash["gone_quiet"]),
        "dashboard: recently changed": _ids(dash["recently_changed"]),
        "dashboard: shared with us": _ids(dash["shared_with_us"]),
        "dashboard: shared by us": _ids(dash["shared_by_us"]),
        "case list count": page.paginator.count,
        "case list export rows": export_rows.count(),
        "case export note rows": {
            case.pk: selectors.note_list_for_user(user=user, case_file=case).count()
            for case in visible_cases
        },
        "contacts by channel": [
            (channel.code, n) for channel, n in contacts.by_channel
        ],
        "contacts": (
            contacts.individual,
            contacts.collective_on_site,
            contacts.collective_online,
            contacts.walk_ins,
        ),
        "cohort rows": [
            (
                row.case_file.pk,
                row.enrolment.status,
                row.attended,
                row.held,
                row.total,
                row.completion,
                row.waiting_position,
            )
            for row in rows
        ],
        "cohort completed": summary.completed,
        "session counts": [
            (s.pk, s.attended_count, s.recorded_count) for s in sessions
        ],
        "cohort attendance export": programme_selectors.cohort_attendance_marks(
            user=user, cohort=cohort
        ),
        "register rows": [
            row.case_file.pk
            for row in programme_selectors.register_rows(user=user, session=session)
        ],
    }
    totals = {
        "cohort list counts": [
            (c.pk, c.enrolled_count, c.waiting_count, c.shows_totals) for c in cohorts
        ],
        "summary": (summary.enrolled, summary.waiting, summary.withdrawn),
        "places left": summary.places_left,
        "hidden": summary.hidden,
        "hidden on the register": programme_selectors.hidden_register_count(
            user=user, session=session
        ),
        # "Register not taken": for the organisation in charge, anyone marked.
        "session registers taken": [(s.pk, s.register_taken) for s in sessions],
    }
    if in_charge:
        return fixed, totals
    # Not in charge: the totals are those of what the user sees, and must not move.
    return {**fixed, **totals}, {}


def _fresh(user: User) -> User:
    return User.objects.select_related("organisation").get(pk=user.pk)


def add_hidden_records(role: str, w: World) -> int:
    """Records the role may not see; returns how many current (enrolled or waiting)
    enrolments were added to the matrix's cohort."""
    user = _fresh(w.users[role])
    cohort, session = w.objects["cohort"], w.objects["session"]
    # Another organisation's case files, with notes of every visibility.
    stranger = make_user(f"stranger-{role}", org_code="worldskills")
    theirs = [
        make_case(
            advisor=stranger,
            first_name=f"Hidda{n}",
            last_name="Verborgen",
            phone=f"0499 00 00 0{n}",
            email=f"hidda{n}@example.net",
        )
        for n in range(2)
    ]
    for case in theirs:
        for visibility in (V.SHARED, V.ORGANISATION, V.PRIVATE):
            make_note(case, stranger, visibility, text="Caché.", topic="Caché")
    # A sharing with the role's organisation, revoked: it gives nothing any more.
    revoked = make_case(
        advisor=stranger,
        first_name="Revoka",
        last_name="Ingetrokken",
        phone="0499 00 00 09",
        email="revoka@example.net",
    )
    make_note(revoked, stranger, V.SHARED, text="Plus partagé.", topic="Révoqué")
    share = share_case(revoked, owner=stranger, partner_user=user, scope=Scope.NOTES)
    services.share_revoke(share=share, acting_user=stranger)
    # Others' internal and private notes on the files the role sees.
    for cat in CASES:
        if not sees(role, cat):
            continue
        for author in ROLES:
            if author == role or not member(author) or not adds_notes(author, cat):
                continue
            hidden_kinds = [V.PRIVATE]
            if ROLES[author].org != ROLES[role].org:
                hidden_kinds.append(V.ORGANISATION)
            for visibility in hidden_kinds:
                make_note(
                    w.cases[cat],
                    w.users[author],
                    visibility,
                    text="Note d'un autre.",
                    topic="Autre",
                )
    # Other organisations' enrolments (one enrolled and present, one waiting, the
    # revoked file enrolled) in the matrix's cohort.
    now = timezone.now()
    statuses = [Enrolment.Status.ENROLLED, Enrolment.Status.WAITING]
    for case, status in zip(
        [*theirs, revoked], [*statuses, Enrolment.Status.ENROLLED], strict=True
    ):
        Enrolment.objects.create(
            cohort=cohort,
            case_file=case,
            status=status,
            enrolled_at=now if status == Enrolment.Status.ENROLLED else None,
            requested_at=now - datetime.timedelta(days=30),
            created_by=stranger,
        )
        if status == Enrolment.Status.ENROLLED:
            Attendance.objects.create(
                session=session,
                case_file=case,
                status=Attendance.Status.PRESENT,
                presence=Attendance.Presence.ON_SITE,
                recorded_by=stranger,
                updated_by=stranger,
            )
    return 3


@pytest.mark.parametrize("role", FIGURE_ROLES)
def test_records_a_user_may_not_see_change_none_of_their_figures(world, db, role):
    user = _fresh(world.users[role])
    before, totals_before = figures(user, world)
    added = add_hidden_records(role, world)
    after, totals_after = figures(user, world)
    moved = {
        name: (before[name], after[name])
        for name in before
        if before[name] != after[name]
    }
    assert not moved, f"{role}'s figures moved with records hidden from them: {moved}"
    if totals_before:
        # The organisation in charge: its own totals count everyone, and it is told
        # how many participants it cannot see.
        assert totals_after["hidden"] == totals_before["hidden"] + added
        enrolled, waiting, _withdrawn = totals_before["summary"]
        assert totals_after["summary"][:2] == (enrolled + 2, waiting + 1)
        assert (
            totals_after["hidden on the register"]
            == totals_before["hidden on the register"] + 2
        )


def test_a_partner_counts_as_contacts_only_the_notes_it_may_read(db):
    """The demo's partner: four internal and private notes of the CDM on a file shared
    with Actiris are no contact of Actiris's (the figure said 4; it is 0). Counted as
    the difference the new file makes, whatever else the database holds."""
    from programmes.selectors import contacts_for_period

    advisor = make_user("sarah", org_code="cdm")
    colleague = make_user("karim", org_code="cdm")
    partner = make_user("lotte", org_code="actiris", role=Role.PARTNER)
    actiris_advisor = make_user("actiris-adv", org_code="actiris")
    case = make_case(
        advisor=advisor,
        first_name="Inès",
        last_name="Demo",
        phone="0470 00 00 01",
        email="ines@example.net",
    )
    share_case(case, owner=advisor, partner_user=partner, scope=Scope.NOTES)
    notes = [
        (advisor, V.ORGANISATION),
        (advisor, V.PRIVATE),
        (colleague, V.ORGANISATION),
        (colleague, V.PRIVATE),
    ]
    today = timezone.localdate()

    def count(user: User) -> int:
        return contacts_for_period(
            user=_fresh(user), start=today - datetime.timedelta(days=7), end=today
        ).individual

    users = (advisor, colleague, partner, actiris_advisor)
    baseline = {user.pk: count(user) for user in users}

    def individual(user: User) -> int:
        return count(user) - baseline[user.pk]

    for author, visibility in notes:
        make_note(case, author, visibility, text="Interne.", topic="Interne")
    assert individual(partner) == 0
    assert individual(actiris_advisor) == 0
    # The advisor counts the CDM's internal notes and her own private one, not
    # her colleague's private note.
    assert individual(advisor) == 3
    # A shared note is one contact for everybody who sees the file, counted once;
    # the partner's own internal note is a contact of Actiris's only.
    make_note(case, advisor, V.SHARED, text="Partagé.", topic="Partagé")
    make_note(case, partner, V.ORGANISATION, text="Chez Actiris.", topic="Actiris")
    assert (individual(partner), individual(actiris_advisor)) == (2, 2)
    assert (individual(advisor), individual(colleague)) == (4, 4)


def test_a_user_without_access_has_a_condition_that_matches_nothing(world, db):
    """An empty condition would mean "everything"."""
    from youthtrack import access
    from youthtrack.models import CaseFile

    for role in ("admin", "admin_unverified"):
        user = world.users[role]
        assert not CaseFile.objects.filter(access.case_file_visibility_q(user))
        assert not Note.objects.filter(
            access.note_visibility_q(user, with_case_file=True)
        )
    anonymous = AnonymousUser()
    assert not CaseFile.objects.filter(access.case_file_visibility_q(anonymous))
    assert not Note.objects.filter(access.note_visibility_q(anonymous))
