"""Partner organisations, real sharings and the state of the database, for the tests of
access, sharing, the audit trail and login security.

Sharings are made through the services (``consent_record``, ``case_file_share``,
``share_accept``) so that the guardian rows are the ones the application writes.
"""

import datetime
import html
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from programmes.models import Attendance, Cohort, Enrolment, Programme, WalkIn
from programmes.models import Session as ProgrammeSession
from tests.factories import CaseFileFactory, UserFactory
from tests.factories import reference as ref
from youthtrack import services
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseFileGroupObjectPermission,
    CaseStatusChange,
    Consent,
    Note,
    Organisation,
    Share,
    User,
    YoungPerson,
)

Scope = Share.Scope
Visibility = Note.Visibility

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def today() -> datetime.date:
    return timezone.localdate()


# --- people and case files ---------------------------------------------------------


def make_user(username: str, *, org_code: str, role: str = User.Role.ADVISOR) -> User:
    extra: dict[str, Any] = {}
    if role == User.Role.ADMIN:
        extra = {"is_staff": True, "is_superuser": True}
    return UserFactory(
        username=username,
        first_name=username.capitalize(),
        last_name="Staff",
        organisation=org(org_code),
        role=role,
        **extra,
    )


def make_case(
    *,
    advisor: User,
    first_name: str,
    last_name: str,
    phone: str,
    email: str,
    programme: str = "youth-cdm",
) -> CaseFile:
    """An active case file of the advisor's organisation, with distinctive personal
    data so that a test can tell whether it reached a page."""
    return CaseFileFactory(
        active=True,
        owner_organisation=advisor.organisation,
        advisor=advisor,
        programme=ref.programme(programme),
        young_person__first_name=first_name,
        young_person__last_name=last_name,
        young_person__phone=phone,
        young_person__email=email,
        young_person__age=20,
    )


def make_note(
    case_file: CaseFile, author: User, visibility: str, text: str, topic: str
) -> Note:
    """A note written through the service (the author must be allowed to add one)."""
    return services.note_create(
        case_file=case_file,
        # As a request loads them: the organisation's guardian group may be newer
        # than the instance the test holds.
        acting_user=User.objects.select_related("organisation").get(pk=author.pk),
        data={
            "contact_date": today(),
            "channel": ref.channel("in_person"),
            "topic": topic,
            "text": text,
            "visibility": visibility,
        },
    )


def record_sharing_consent(
    case_file: CaseFile, owner: User, partner: Organisation, **data: Any
) -> Consent:
    values: dict[str, Any] = {
        "purpose": Consent.Purpose.SHARING,
        "partner": partner,
        "scope": "Suivi du parcours",
        "given_by": Consent.GivenBy.YOUNG_PERSON,
        "given_on": today(),
    }
    values.update(data)
    return services.consent_record(case_file=case_file, acting_user=owner, data=values)


def share_case(
    case_file: CaseFile,
    *,
    owner: User,
    partner_user: User | None,
    scope: str = Scope.VIEW,
    end_date: datetime.date | None = None,
    consent: bool = True,
    accept: bool = True,
) -> Share:
    """Consent, then share, then (unless ``accept=False``) accept as the partner."""
    assert partner_user is not None
    partner = partner_user.organisation
    if consent:
        record_sharing_consent(case_file, owner, partner)
    share = services.case_file_share(
        case_file=case_file,
        acting_user=owner,
        partner=partner,
        purpose="Accompagnement vers l'emploi",
        scope=scope,
        end_date=end_date,
    )
    if accept:
        share = services.share_accept(share=share, acting_user=partner_user)
    return share


def grants(case_file: CaseFile, organisation: Organisation | None = None) -> set:
    """The guardian permission codenames on a case file (for an organisation)."""
    rows = CaseFileGroupObjectPermission.objects.filter(content_object=case_file)
    if organisation is not None:
        rows = rows.filter(group__organisation=organisation)
    return set(rows.values_list("permission__codename", flat=True))


def give_override_permission(user: User) -> User:
    user.user_permissions.add(
        Permission.objects.get(
            codename="override_sharing_consent", content_type__app_label="youthtrack"
        )
    )
    return User.objects.get(pk=user.pk)  # a fresh instance: no permission cache


# --- clients -------------------------------------------------------------------------


def signed_in(user: User | None, **defaults: Any) -> Client:
    client = Client(**defaults)
    if user is not None:
        client.force_login(user)
    return client


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def verify_session(client: Client, device: TOTPDevice) -> None:
    """What ``django_otp.login(request, device)`` leaves in the session."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with_session(key: str | None) -> Client:
    client = Client()
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def form_post(form, **changes: Any) -> dict[str, str]:
    """What a browser posts for a form as displayed, with some values changed."""
    values = {name: form[name].value() for name in form.fields}
    values.update(changes)
    data: dict[str, str] = {}
    for name, value in values.items():
        key = form.add_prefix(name)
        if value is True:
            data[key] = "on"
        elif value is False:
            continue
        elif value is None:
            data[key] = ""
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        else:
            data[key] = str(getattr(value, "pk", value))
    return data


# --- reading responses ---------------------------------------------------------------


def body(response) -> str:
    """The response as characters (HTML entities decoded, CSV byte-order mark too)."""
    content = b"".join(response) if response.streaming else response.content
    return html.unescape(content.decode("utf-8-sig", errors="replace"))


def person_strings(case_file: CaseFile) -> list[str]:
    person = YoungPerson.objects.get(pk=case_file.young_person_id)
    return [
        value
        for value in (person.last_name, person.first_name, person.phone, person.email)
        if value
    ]


def note_strings(note: Note) -> list[str]:
    return [value for value in (note.text, note.topic) if value]


def leaked(response, strings) -> list[str]:
    text = body(response)
    return [value for value in strings if value in text]


# --- the state a refused request must leave alone ----------------------------------


def db_snapshot() -> dict[str, Any]:
    """Every row a case-file request might change (rows with their versions and
    ``updated_at``), and how many audit rows, guardian grants and devices exist."""
    return {
        "people": list(YoungPerson.objects.order_by("pk").values()),
        "cases": list(CaseFile.objects.order_by("pk").values()),
        "notes": list(Note.objects.order_by("pk").values()),
        "consents": list(Consent.objects.order_by("pk").values()),
        "shares": list(Share.objects.order_by("pk").values()),
        "grants": list(
            CaseFileGroupObjectPermission.objects.order_by("pk").values_list(
                "group_id", "permission_id", "content_object_id"
            )
        ),
        "status_changes": CaseStatusChange.objects.count(),
        "audit": AuditEvent.objects.count(),
        "users": list(User.objects.order_by("pk").values_list("pk", "is_active")),
        "programmes": list(Programme.objects.order_by("pk").values()),
        "cohorts": list(Cohort.objects.order_by("pk").values()),
        "sessions": list(ProgrammeSession.objects.order_by("pk").values()),
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "attendances": list(Attendance.objects.order_by("pk").values()),
        "walk_ins": list(WalkIn.objects.order_by("pk").values()),
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@dataclass
class Recorded:
    """Audit rows written during a block (``with audit_rows() as rows``)."""

    before: int = 0
    rows: list = field(default_factory=list)


class audit_rows:
    def __enter__(self) -> Recorded:
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.recorded = Recorded(before=last or 0)
        return self.recorded

    def __exit__(self, *exc):
        self.recorded.rows = list(
            AuditEvent.objects.filter(pk__gt=self.recorded.before).order_by("pk")
        )
        return False
