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
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programmes.models import Attendance, Enrolment
from tests.factories import reference as ref
from tests.factories.helpers import intake_post
from tests.factories.programmes import CohortFactory, SessionFactory, WalkInFactory
from youthtrack import services
from youthtrack.forms import CaseFileForm, YoungPersonForm
from youthtrack.models import Note, Share, User

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
    """Signed in, and not an administrator (who reads no case file)."""
    return ROLES[role].role not in (None, Role.ADMIN)


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


def _always(status: int) -> Expect:
    return lambda role, cat: status


def _works_on_cases(ok: int) -> Expect:
    return lambda role, cat: ok if works_on_cases(role) else 403


def _admin_only(role: str, cat: str | None) -> int:
    return 200 if ROLES[role].role == Role.ADMIN else 404


def _unless_verified(role: str, cat: str | None) -> int:
    # Only the administrator has a device and a verified session.
    return 302 if role == "admin" else 200


def _login(role: str, cat: str | None) -> int:
    return 200 if role == "anonymous" else 302


def see(role: str, cat: str) -> bool:
    return True


RULES: dict[str, Rule] = {
    "dashboard": Rule(False, {"GET": _always(200)}, "every signed-in user: 200"),
    "case_list": Rule(False, {"GET": _always(200)}, "every signed-in user: 200"),
    "case_list_export": Rule(False, {"GET": _always(200)}, "every signed-in user"),
    "shares": Rule(False, {"GET": _always(200)}, "every signed-in user: 200"),
    "intake": Rule(
        False,
        {"GET": _works_on_cases(200), "POST": _works_on_cases(302)},
        "advisors and leads; others 403",
    ),
    "audit_log": Rule(False, {"GET": _admin_only}, "administrators; others 404"),
    "account": Rule(False, {"GET": _always(200)}, "every signed-in user"),
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
    "case_detail": Rule(True, {"GET": _case(see, 200)}, "who sees the file; else 404"),
    "case_export": Rule(True, {"GET": _case(see, 200)}, "who sees the file; else 404"),
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
        {"GET": _always(405), "POST": _case(edits, 302)},
        "POST only; as case_edit",
    ),
    "case_share": Rule(
        True,
        {"GET": _case(edits, 200), "POST": _case(edits, 302)},
        "as case_edit",
    ),
    "share_revoke": Rule(
        True,
        {"GET": _always(405), "POST": _case(edits, 302)},
        "POST only; as case_edit",
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
}

# --- programmes (programmes/access.py) ---

COHORT_OWNER = "cdm"
COHORT_PARTNERS = {"actiris"}
COHORT_ADVISORS = {"owner_advisor"}
WALK_IN_ORG = "cdm"


def is_admin(role: str) -> bool:
    return ROLES[role].role == Role.ADMIN


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
        if is_admin(role):
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
        {"GET": _always(405), "POST": _programme_page(takes_attendance, 302)},
        "POST only; who takes attendance; members 403; administrators 404",
        params={"session_pk": "session"},
    ),
    "programmes:walk_in_convert": Rule(
        False,
        {"GET": _walk_in(200), "POST": _walk_in(200)},
        "advisors of the recording or owning organisation; its partner staff 403; "
        "others 404",
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

# URL variants: a path parameter that takes several values.
VARIANTS: dict[str, list[str]] = {"share_answer": ["accept", "decline"]}

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
            services.share_decline(share=share, acting_user=users["partner_none"])
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

    sessions: dict[str, str | None] = {"anonymous": None}
    for name, user in users.items():
        client = signed_in(user)
        if ROLES[name].role == Role.ADMIN and ROLES[name].verified:
            verify_session(client, device)
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


WALK_IN_NAME = "Wilhelmina-Walkin"


def _build_programmes(users, cases) -> tuple[dict[str, Any], dict[str, Any]]:
    cohort = CohortFactory(
        programme=ref.programme("uppercut"),
        owner_organisation=org(COHORT_OWNER),
        created_by=users["lead"],
        advisors=[users[name] for name in COHORT_ADVISORS],
        partners=[org(code) for code in COHORT_PARTNERS],
    )
    session = SessionFactory(cohort=cohort, created_by=users["lead"])
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
    data: dict[tuple[str, str | None], dict[str, str]] = {
        ("intake", None): intake_post(),
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
        data[("case_transition", cat)] = {
            "version": str(case.version),
            "effective_date": today.isoformat(),
            "comment": "Passage en suivi",
        }
        data[("note_create", cat)] = note_data
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
        data[("consent_withdraw", cat)] = {"withdrawn_on": today.isoformat()}
        data[("case_share", cat)] = {
            "partner": str(org("fwb").pk),
            "purpose": "Orientation vers une formation",
            "scope": Scope.VIEW,
            "end_date": "",
        }
        data[("share_revoke", cat)] = {}
        data[("share_answer", cat)] = {}
        data[("programmes:case_enrol", cat)] = {"cohort": str(objects["cohort"].pk)}
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
        elif source == "enrolment":
            values[param] = w.enrolments[cat].pk
        elif source in w.objects:
            values[param] = w.objects[source].pk
        elif source == "note_pk":
            values[param] = w.notes[cat][0][0].pk
        elif source == "consent_pk":
            values[param] = w.consents[cat].pk
        elif source == "share_pk":
            share = w.answer_share if url.name == "share_answer" else w.revoke_share
            values[param] = share[cat].pk
        elif source == "answer":
            values[param] = variant
        elif source == "to_status":
            values[param] = "follow_up"
        else:
            raise AssertionError(f"{url.name}: no value for the parameter {param!r}")
    return values


def hidden_strings(role: str, w: World) -> list[str]:
    """Personal data the role may not see anywhere: the people of the case files it
    does not see, and the notes it may not read on those it does."""
    strings: list[str] = []
    for cat, case in w.cases.items():
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
    leaks = [value for value in hidden_strings(role, world) if value in text]
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
