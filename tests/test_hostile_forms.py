"""Hostile values posted to the main forms never give a server error, always a message
on the form, and never a half-saved record (issue 12, "Hostile input").

Each form is posted as a browser posts it (a valid post, built as the tests of the
form build it), with one to three of its fields replaced by random or hostile values:
huge numbers, control characters and NUL bytes, 100,000-character strings, impossible
or out-of-range dates, random text, unknown ids. The answer must be below 500; when it
is not a redirect (the save was refused), the page shows why (beside a field, above the
form or in a message) and no row was added or changed. Bytes in a wrong encoding are
posted raw. The import takes random bytes and text files in wrong encodings.

Bounded: a few explicit examples and ``MAX_EXAMPLES`` drawn ones per form,
derandomised, so that the file runs in well under half a minute.
"""

import datetime
import io
import os
import traceback
import zipfile
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from outcomes.models import Assessment, Goal, ImportRun, Outcome, ReportJob
from programmes.models import Attendance, Cohort, Enrolment
from tests.factories import (
    CohortFactory,
    ConsentFactory,
    EligibleCaseFileFactory,
    SessionFactory,
    UserFactory,
)
from tests.factories import reference as ref
from tests.factories.helpers import intake_post
from youthtrack.forms import CaseFileForm, YoungPersonForm
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    Consent,
    Note,
    Operation,
    Organisation,
    Share,
    YoungPerson,
)

# More for a deeper search on a quiet machine: HOSTILE_FORMS_EXAMPLES=500 pytest …
MAX_EXAMPLES = int(os.environ.get("HOSTILE_FORMS_EXAMPLES", "10"))

HOSTILE = [
    "",
    "x" * 100_000,
    "é" * 50_000,
    "\x00",
    "a\x00b",
    "\x01\x02\x1b\x1f\x7f",
    "\r\n\t",
    "99999999999999999999",
    "-99999999999999999999",
    str(2**63),
    "1e400",
    "NaN",
    "-1",
    "0",
    "2023-02-30",
    "0000-01-01",
    "0001-01-01",
    "99999-01-01",
    "9999-12-31",
    "31/12/2023",
    "' OR 1=1 --",
    "🎉" * 500,
    "\u202eevil\ufeff",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]
# All at once, in every field of each form (explicit examples).
CORE = ["x" * 100_000, "a\x00b", "99999999999999999999", "2023-02-30", "0000-01-01"]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates(min_value=datetime.date.min, max_value=datetime.date.max).map(
        datetime.date.isoformat
    ),
    st.text(max_size=30),
)
ERROR_MARKS = (
    'class="error-summary"',
    'class="errors"',
    "message--error",
    "message--warning",
    'class="refusal"',
)


def counts() -> dict[str, int]:
    """Every kind of record these forms write, and the versions of the edited ones."""
    rows = {
        model.__name__: model.objects.count()
        for model in (
            YoungPerson,
            CaseFile,
            Note,
            Consent,
            Share,
            Enrolment,
            Outcome,
            ReportJob,
            Attendance,
            Cohort,
            Goal,
            Assessment,
        )
    }
    rows["versions"] = sum(CaseFile.objects.values_list("version", flat=True)) + sum(
        YoungPerson.objects.values_list("version", flat=True)
    )
    rows["changes"] = AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW).count()
    return rows


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_post(form, **changes) -> dict[str, str]:
    values = {name: form[name].value() for name in form.fields}
    values.update(changes)
    data = {}
    for name, value in values.items():
        key = form.add_prefix(name)
        if value is True:
            data[key] = "on"
        elif value in (False, None):
            data[key] = "" if value is None else None
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        else:
            data[key] = str(getattr(value, "pk", value))
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def world(db):
    cdm = Organisation.objects.get(code="cdm")
    advisor = UserFactory(username="hostile-forms-advisor", organisation=cdm)
    lead = UserFactory(username="hostile-forms-lead", lead=True, organisation=cdm)
    uppercut = ref.programme("uppercut")
    lead.programmes_led.add(uppercut)
    case = EligibleCaseFileFactory(advisor=advisor, programme=uppercut)
    # Sharing with Actiris is consented to; the share form needs it.
    ConsentFactory(case_file=case, purpose=Consent.Purpose.SHARING)
    cohort = CohortFactory(
        programme=uppercut,
        advisors=[advisor],
        created_by=lead,
        start_date=timezone.localdate() - datetime.timedelta(days=7),
    )
    # A second file, in the cohort, for its register.
    participant = EligibleCaseFileFactory(advisor=advisor, programme=uppercut)
    Enrolment.objects.create(
        cohort=cohort,
        case_file=participant,
        status=Enrolment.Status.ENROLLED,
        enrolled_at=timezone.now(),
        created_by=advisor,
    )
    return {
        "participant": participant,
        # Held (a day ago), whatever the hour: its register can be taken.
        "session": SessionFactory(
            cohort=cohort, starts_at=timezone.now() - datetime.timedelta(days=1)
        ),
        "programme": uppercut,
        "advisor": signed_in(advisor),
        "lead": signed_in(lead),
        "advisor_user": advisor,
        "case": case,
        "cohort": cohort,
        "partner": Organisation.objects.get(code="actiris"),
        "operation": Operation.objects.get(reference="UPPERCUT-ACTIRIS-2026-2027"),
    }


def _today() -> str:
    return timezone.localdate().isoformat()


def _case(world) -> CaseFile:
    return CaseFile.objects.get(pk=world["case"].pk)


# name -> (who posts, url, the valid post as the page would send it now)
FORMS = {
    "intake": ("advisor", lambda w: reverse("intake"), lambda w: intake_post()),
    "case_edit": (
        "advisor",
        lambda w: reverse("case_edit", args=[w["case"].pk]),
        lambda w: form_post(
            CaseFileForm(instance=_case(w), user=w["advisor_user"]),
            next_follow_up_on=timezone.localdate() + datetime.timedelta(days=10),
        ),
    ),
    "person_edit": (
        "advisor",
        lambda w: reverse("person_edit", args=[w["case"].pk]),
        lambda w: form_post(
            YoungPersonForm(instance=_case(w).young_person), other_languages="Lingala"
        ),
    ),
    "note": (
        "advisor",
        lambda w: reverse("note_create", args=[w["case"].pk]),
        lambda w: {
            "contact_date": _today(),
            "channel": "in_person",
            "topic": "Appel de suivi",
            "text": "Rendez-vous fixé.",
            "visibility": "organisation",
            "next_follow_up_on": "",
            "idempotency_key": "",
        },
    ),
    "consent": (
        "advisor",
        lambda w: reverse("consent_create", args=[w["case"].pk]),
        lambda w: {
            "purpose": "sharing",
            "partner": str(w["partner"].pk),
            "scope": "Suivi du parcours",
            "given_by": "self",
            "guardian_name": "",
            "given_on": _today(),
            "expires_on": "",
        },
    ),
    "share": (
        "advisor",
        lambda w: reverse("case_share", args=[w["case"].pk]),
        lambda w: {
            "partner": str(w["partner"].pk),
            "purpose": "Orientation vers une formation",
            "scope": "view",
            "end_date": "",
        },
    ),
    "enrol_from_case": (
        "advisor",
        lambda w: reverse("programmes:case_enrol", args=[w["case"].pk]),
        lambda w: {"cohort": str(w["cohort"].pk), "waiting_list": "1"},
    ),
    "enrol_into_cohort": (
        "advisor",
        lambda w: reverse("programmes:cohort_enrol", args=[w["cohort"].pk]),
        lambda w: {"case_files": str(w["case"].pk)},
    ),
    "exit": (
        "advisor",
        lambda w: reverse("outcomes:exit", args=[w["case"].pk]),
        lambda w: {
            "version": str(_case(w).version),
            "exit_date": _today(),
            "exit_reason": "completed",
            "comment": "",
            "outcome-kind": "job",
            "outcome-start_date": _today(),
            "outcome-employer": "Colruyt",
            "outcome-source": "young_person",
            "outcome-verification_note": "Contrat vu",
        },
    ),
    "outcome": (
        "advisor",
        lambda w: reverse("outcomes:outcome_create", args=[w["case"].pk]),
        lambda w: {
            "kind": "job_search",
            "start_date": _today(),
            "source": "actiris",
            "verification_note": "Inscrite chez Actiris",
        },
    ),
    "transition": (
        "advisor",
        lambda w: reverse("case_transition", args=[w["case"].pk, "follow_up"]),
        lambda w: {
            "version": str(_case(w).version),
            "effective_date": _today(),
            "comment": "Passage en suivi",
        },
    ),
    "attendance": (
        "advisor",
        lambda w: reverse("programmes:session_register", args=[w["session"].pk]),
        lambda w: {
            f"status_{w['participant'].pk}": "present",
            f"presence_{w['participant'].pk}": "on_site",
            f"version_{w['participant'].pk}": "0",
            "save": "",
        },
    ),
    "cohort_create": (
        "lead",
        lambda w: reverse("programmes:cohort_create", args=[w["programme"].pk]),
        lambda w: {
            "name": "Uppercut printemps",
            "start_date": _today(),
            "end_date": (
                timezone.localdate() + datetime.timedelta(days=60)
            ).isoformat(),
            "capacity": "12",
            "advisors": str(w["advisor_user"].pk),
        },
    ),
    "goal": (
        "advisor",
        lambda w: reverse("outcomes:goal_create", args=[w["case"].pk]),
        lambda w: {"text": "Trouver un stage", "target_date": _today()},
    ),
    "assessment": (
        "advisor",
        lambda w: reverse("outcomes:assessment_edit", args=[w["case"].pk, "entry"]),
        lambda w: {
            "assessed_on": _today(),
            **{
                name: "5"
                for name in (
                    "confidence",
                    "project_clarity",
                    "job_search",
                    "digital",
                    "mobility",
                    "languages",
                )
            },
        },
    ),
    "report_request": (
        "lead",
        lambda w: reverse("outcomes:report_list"),
        lambda w: {
            "rule_set": "actiris",
            "operation": str(w["operation"].pk),
            "date_from": "2026-01-01",
            "date_to": "2026-06-30",
            "formats": "json",
        },
    ),
}


def post_and_check(world, name: str, changes: dict[str, str]) -> None:
    role, url_of, data_of = FORMS[name]
    url = url_of(world)
    data = {**data_of(world), **changes}
    # Each example on the same world: what one saves is rolled back after it.
    with transaction.atomic():
        before = counts()
        response = world[role].post(url, data)
        after = counts()
        transaction.set_rollback(True)
    shown = {
        k: (v[:60] + f"…({len(v)})" if len(v) > 60 else v) for k, v in changes.items()
    }
    if response.status_code >= 500:
        detail = ""
        if getattr(response, "exc_info", None):
            detail = "".join(traceback.format_exception(*response.exc_info))[-3000:]
        raise AssertionError(f"{name} {shown} → {response.status_code}\n{detail}")
    if response.status_code in (301, 302, 303):
        return  # saved: the values were acceptable
    assert after == before, f"{name} {shown}: refused, yet rows changed"
    if response.status_code == 200:
        page = response.content.decode()
        assert any(mark in page for mark in ERROR_MARKS), (
            f"{name} {shown}: refused without a message on the form"
        )


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hostile_values_in_the_forms(name, world):
    fields = sorted(k for k in FORMS[name][2](world) if k != "csrfmiddlewaretoken")

    def check(changes):
        post_and_check(world, name, changes)

    for value in CORE:
        check = example(changes=dict.fromkeys(fields, value))(check)
    check = hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(
        given(
            changes=st.dictionaries(
                st.sampled_from(fields), VALUES, min_size=1, max_size=3
            )
        )(check)
    )
    check()


@pytest.mark.parametrize("name", ["intake", "note", "case_edit"])
def test_bytes_in_a_wrong_encoding_are_refused_or_kept_readable(name, world):
    """A browser set to Latin-1 (or a script) posts bytes that are not UTF-8."""
    role, url_of, data_of = FORMS[name]
    data = data_of(world)
    target = {"intake": "person-last_name", "note": "text"}.get(name, "referred_by")
    pairs = [f"{quote(k)}={quote(v)}" for k, v in data.items() if k != target]
    # "François" in Latin-1, a byte-order mark, a NUL, a broken UTF-8 sequence.
    pairs.append(f"{quote(target)}=Fran%E7ois%FF%FE%00%C3%28")
    raw = "&".join(pairs)
    before = counts()
    response = world[role].generic(
        "POST",
        url_of(world),
        raw.encode("ascii"),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code < 500
    if response.status_code == 200:
        assert counts() == before


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


UPLOADS = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"",
            b"\x00" * 1000,
            b"PK\x03\x04" + b"\xff" * 200,  # the start of a ZIP, then nothing
            "nom;prénom\nDupont;Élodie\n".encode("cp1252"),
            "nom,prénom\n".encode("utf-16"),
            zip_of(
                {"people.csv": "last_name,first_name\nDüpont,É\n".encode("latin-1")}
            ),
            zip_of({"people.csv": b"\xff\xfe\x00\x00garbage"}),
            zip_of({"../../evil.csv": b"a,b\n"}),
        ]
    ),
)


def test_random_bytes_uploaded_to_the_import(
    world, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the check in this process (CI: a broker)
    client = world["lead"]
    url = reverse("outcomes:import_records")
    people = YoungPerson.objects.count()
    names = ["data.xlsx", "data.zip", "data.csv", "\x00.xlsx", "x" * 300 + ".zip"]

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(content=UPLOADS, name=st.sampled_from(names))
    def check(content, name):
        upload = io.BytesIO(content)
        upload.name = name
        # The check runs once the upload is committed (here: at once, in-process).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": upload})
        assert response.status_code < 500, (name, content[:40], response.status_code)
        if response.status_code == 200:  # refused by the form itself
            assert any(mark in response.content.decode() for mark in ERROR_MARKS)
            return
        run = ImportRun.objects.latest("pk")
        assert run.status == ImportRun.Status.REFUSED, (name, content[:40], run.status)
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert str(ImportRun.Status.REFUSED.label) in page.content.decode()
        assert YoungPerson.objects.count() == people

    check()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_posts_the_values_replace_are_accepted_as_they_are(name, world):
    """Each hostile value lands in a form that would otherwise be saved."""
    role, url_of, data_of = FORMS[name]
    before = counts()
    response = world[role].post(url_of(world), data_of(world))

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert counts() != before


EVIDENCE = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"",
            b"%PDF-1.4\n" + b"\x00\xff" * 500,  # a PDF's first line, then garbage
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,  # a PNG's signature, nothing else
            b"<html><script>alert(1)</script></html>",
            b"\xff\xd8\xff" + b"A" * 300,  # JPEG start
            "attestation d'emploi".encode("cp1252"),
        ]
    ),
)


def test_random_bytes_as_outcome_evidence(world, tmp_path, settings):
    """No server error, and a refused document leaves neither a row nor a file."""
    settings.OUTCOMES_EVIDENCE_ROOT = tmp_path / "evidence"
    client = world["advisor"]
    url = reverse("outcomes:outcome_create", args=[world["case"].pk])
    names = ["attestation.pdf", "photo.png", "x.jpg", "\x00.pdf", "é" * 300 + ".pdf"]

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(content=EVIDENCE, name=st.sampled_from(names))
    def check(content, name):
        upload = io.BytesIO(content)
        upload.name = name
        data = {**FORMS["outcome"][2](world), "verification_note": ""}
        with transaction.atomic():
            outcomes = Outcome.objects.count()
            response = client.post(url, {**data, "evidence_file": upload})
            saved = Outcome.objects.count() - outcomes
            transaction.set_rollback(True)
        assert response.status_code < 500, (name, content[:40], response.status_code)
        files = list((tmp_path / "evidence").rglob("*"))
        if response.status_code == 200:
            assert any(mark in response.content.decode() for mark in ERROR_MARKS)
            assert saved == 0
            assert [f for f in files if f.is_file()] == []
        else:
            assert saved == 1
            for stored in files:  # the next example starts from an empty folder
                if stored.is_file():
                    stored.unlink()

    check()
