"""The pages as each role meets them: what they may open, what they may change, what
they never see; the duplicate guard at intake; saves refused when someone else saved
first; the languages; and a query count that does not grow with the rows shown."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import (
    CaseFileFactory,
    ConsentFactory,
    NoteFactory,
    reference,
)
from tests.factories.helpers import as_post, case_data, intake_post, person_data
from youthtrack import selectors, services
from youthtrack.forms import CaseFileForm, NoteForm, YoungPersonForm
from youthtrack.models import CaseFile, Consent, Note, YoungPerson

from .helpers import (
    CAN_EDIT,
    CANNOT_SEE,
    ROLES,
    assert_nothing_leaked,
    db_state,
    flash_messages,
    form_data,
    input_value,
    page_text,
)

LOGIN = reverse("login")

# --- who may open and change a case file ---


@pytest.fixture
def consent(case_file) -> Consent:
    return ConsentFactory(case_file=case_file)


@pytest.fixture
def pages(case_file, note, consent) -> dict[str, str]:
    """The pages of one case file, by view name."""
    pk = case_file.pk
    return {
        "case_detail": reverse("case_detail", args=[pk]),
        "case_edit": reverse("case_edit", args=[pk]),
        "person_edit": reverse("person_edit", args=[pk]),
        "case_transition": reverse("case_transition", args=[pk, "follow_up"]),
        "note_create": reverse("note_create", args=[pk]),
        "note_edit": reverse("note_edit", args=[pk, note.pk]),
        "consent_create": reverse("consent_create", args=[pk]),
        "consent_withdraw": reverse("consent_withdraw", args=[pk, consent.pk]),
    }


@pytest.fixture
def writes(case_file, note, today) -> dict[str, dict]:
    """A valid submission of each form of the case file, by view name."""
    return {
        "case_edit": form_data(
            CaseFileForm(instance=case_file, user=case_file.advisor),
            referred_by="Changed by whoever may",
        ),
        "person_edit": form_data(
            YoungPersonForm(instance=case_file.young_person), phone="0400 99 99 99"
        ),
        "case_transition": {
            "version": str(case_file.version),
            "effective_date": today.isoformat(),
        },
        "note_create": as_post(
            {
                "contact_date": today,
                "channel": reference.channel("phone"),
                "topic": "Appel",
                "text": "Nouvelle note.",
                "visibility": Note.Visibility.ORGANISATION,
            }
        ),
        "note_edit": form_data(NoteForm(instance=note), text="Réécrite."),
        "consent_create": as_post(
            {"purpose": "reporting", "given_by": "self", "given_on": today}
        ),
        "consent_withdraw": {"withdrawn_on": today.isoformat(), "confirm": "1"},
    }


@pytest.fixture
def applied(case_file, note, consent, today):
    """Whether each write of ``writes`` reached the database."""
    case_files = CaseFile.objects.filter(pk=case_file.pk)
    return {
        "case_edit": lambda: case_files.get().referred_by == "Changed by whoever may",
        "person_edit": lambda: (
            YoungPerson.objects.get(pk=case_file.young_person_id).phone
            == "0400 99 99 99"
        ),
        "case_transition": lambda: case_files.get().status == CaseFile.Status.FOLLOW_UP,
        "note_create": lambda: case_file.notes.filter(text="Nouvelle note.").exists(),
        "note_edit": lambda: Note.objects.get(pk=note.pk).text == "Réécrite.",
        "consent_create": lambda: case_file.consents.filter(
            purpose=Consent.Purpose.FUNDER_REPORTING
        ).exists(),
        "consent_withdraw": lambda: (
            Consent.objects.get(pk=consent.pk).withdrawn_on == today
        ),
    }


def _refusal(view: str, role: str) -> int | None:
    """The status a role is answered with on a page of the case file (None: served).
    Only the author edits a note, which the rest of the organisation can see."""
    if role in CANNOT_SEE:
        return 404
    if view == "note_edit" and role != "advisor":
        return 403
    return None


def _assert_sent_to_login(response, path: str | None = None):
    """Sent to the login page, which will bring them back to ``path``."""
    assert response.status_code == 302
    if path is None:
        assert response["Location"].startswith(f"{LOGIN}?next=")
    else:
        assert response["Location"] == f"{LOGIN}?next={path}"


GET_VIEWS = [
    "case_detail",
    "case_edit",
    "person_edit",
    "case_transition",
    "note_create",
    "note_edit",
    "consent_create",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", GET_VIEWS)
def test_opening_a_page_of_a_case_file_as_each_role(
    view, role, client_as, pages, case_file
):
    response = client_as(role).get(pages[view])
    if role == "anonymous":
        _assert_sent_to_login(response, pages[view])
        return
    refusal = _refusal(view, role)
    if refusal:
        assert response.status_code == refusal
        assert_nothing_leaked(response, case_file)
    else:
        assert response.status_code == 200
        assert case_file.young_person.last_name in page_text(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", [*GET_VIEWS[1:], "consent_withdraw"])
def test_submitting_a_form_of_a_case_file_as_each_role(
    view, role, client_as, pages, writes, applied, case_file
):
    before = db_state()
    response = client_as(role).post(pages[view], writes[view])
    if role == "anonymous":
        _assert_sent_to_login(response, pages[view])
        assert db_state() == before
        return
    refusal = _refusal(view, role)
    if refusal:
        assert response.status_code == refusal
        assert_nothing_leaked(response, case_file)
        assert db_state() == before
    else:
        assert response.status_code == 302, page_text(response)
        assert response["Location"] == pages["case_detail"]
        assert applied[view]()


def test_a_hidden_case_file_looks_like_one_that_does_not_exist(client_as, case_file):
    client = client_as("other_advisor")
    hidden = client.get(reverse("case_detail", args=[case_file.pk]))
    missing = client.get(reverse("case_detail", args=[case_file.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404

    def without_tokens(response):
        return re.sub(r'value="[^"]*"', "", page_text(response))

    assert without_tokens(hidden) == without_tokens(missing)


def test_a_note_of_another_case_file_is_not_found_through_this_one(
    client_as, case_file, note
):
    other_case = CaseFileFactory(advisor=case_file.advisor)
    client = client_as("advisor")
    response = client.get(reverse("note_edit", args=[other_case.pk, note.pk]))
    assert response.status_code == 404


def test_a_consent_of_another_case_file_is_not_withdrawn_through_this_one(
    client_as, case_file, consent, today
):
    other_case = CaseFileFactory(advisor=case_file.advisor)
    before = db_state()
    response = client_as("advisor").post(
        reverse("consent_withdraw", args=[other_case.pk, consent.pk]),
        {"withdrawn_on": today.isoformat()},
    )
    assert response.status_code == 404
    assert db_state() == before


def test_a_private_note_shows_to_its_author_only(client_as, case_file, advisor):
    private = NoteFactory(
        case_file=case_file,
        author=advisor,
        visibility=Note.Visibility.PRIVATE,
        text="Confie une situation familiale difficile.",
    )
    url = reverse("case_detail", args=[case_file.pk])
    assert private.text in page_text(client_as("advisor").get(url))
    colleague_sees = client_as("colleague").get(url)
    assert colleague_sees.status_code == 200
    assert private.text not in page_text(colleague_sees)
    assert reverse("note_edit", args=[case_file.pk, private.pk]) not in page_text(
        colleague_sees
    )
    colleague_edit = client_as("colleague").get(
        reverse("note_edit", args=[case_file.pk, private.pk])
    )
    assert colleague_edit.status_code == 404


@pytest.mark.parametrize("to_status", ["bogus", "reopened"])
def test_an_unknown_status_is_not_found(client_as, case_file, to_status):
    response = client_as("advisor").get(
        reverse("case_transition", args=[case_file.pk, to_status])
    )
    assert response.status_code == 404


def test_a_move_outside_the_lifecycle_is_explained_and_refused(
    client_as, advisor, today
):
    intake = CaseFileFactory(advisor=advisor)
    client = client_as("advisor")
    url = reverse("case_transition", args=[intake.pk, "follow_up"])
    assert "cannot go from" in page_text(client.get(url))
    before = db_state()
    response = client.post(
        url, {"version": intake.version, "effective_date": today.isoformat()}
    )
    assert response.status_code == 200
    assert "cannot go from" in page_text(response)
    assert db_state() == before


# --- the lists every role sees ---


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", ["dashboard", "case_list"])
def test_the_workspace_pages_show_each_role_only_its_case_files(
    view, role, client_as, case_file, note, other_advisor
):
    actiris_case = CaseFileFactory(
        owner_organisation=other_advisor.organisation,
        advisor=other_advisor,
        young_person__last_name="Ouédraogo",
    )
    response = client_as(role).get(reverse(view))
    if role == "anonymous":
        _assert_sent_to_login(response, reverse(view))
        return
    assert response.status_code == 200
    text = page_text(response)
    if role in CAN_EDIT:
        assert case_file.young_person.last_name in text
    else:
        assert_nothing_leaked(response, case_file)
    if role == "other_advisor":
        assert actiris_case.young_person.last_name in text
    else:
        assert_nothing_leaked(response, actiris_case)


@pytest.mark.parametrize("role", ROLES)
def test_searching_a_hidden_file_number_finds_nothing(role, client_as, case_file):
    response = client_as(role).get(reverse("case_list"), {"q": f"#{case_file.pk}"})
    if role == "anonymous":
        _assert_sent_to_login(response)
    elif role in CAN_EDIT:
        assert case_file.young_person.last_name in page_text(response)
    else:
        assert_nothing_leaked(response, case_file)


@pytest.mark.parametrize("role", ["partner", "administrator"])
def test_roles_without_a_caseload_are_offered_no_intake(role, client_as, case_file):
    response = client_as(role).get(reverse("dashboard"))
    assert response.status_code == 200
    assert f'href="{reverse("intake")}"' not in page_text(response)
    assert_nothing_leaked(response, case_file)


def test_an_administrator_is_sent_to_the_administration(client_as, case_file):
    text = page_text(client_as("administrator").get(reverse("dashboard")))
    assert f'href="{reverse("admin:index")}"' in text


def test_an_administrator_reads_no_personal_data_in_the_audit_trail(
    client_as, case_file, colleague
):
    person = case_file.young_person
    services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"phone": "0499 31 41 59"},
        expected_version=person.version,
        case_file=case_file,
    )
    client = client_as("administrator")
    event = case_file.audit_events.get(object_type="youthtrack.youngperson")
    response = client.get(
        reverse("admin:youthtrack_auditevent_change", args=[event.pk])
    )
    assert response.status_code in (200, 403, 404)
    text = page_text(response)
    assert person.phone not in text
    assert "0499 31 41 59" not in text


def test_signed_in_pages_are_never_cached(client_as, case_file):
    response = client_as("advisor").get(reverse("case_detail", args=[case_file.pk]))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- intake and the duplicate guard ---


@pytest.mark.parametrize("role", ROLES)
def test_intake_as_each_role(role, client_as, user_for, db):
    client = client_as(role)
    before = db_state()
    opened = client.get(reverse("intake"))
    response = client.post(reverse("intake"), intake_post())
    if role == "anonymous":
        _assert_sent_to_login(opened, reverse("intake"))
        _assert_sent_to_login(response, reverse("intake"))
        assert db_state() == before
    elif role in {"partner", "administrator"}:
        assert opened.status_code == response.status_code == 403
        assert db_state() == before
    else:
        assert opened.status_code == 200
        case_file = CaseFile.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("case_detail", args=[case_file.pk])
        assert case_file.young_person.last_name == "Dubois"
        assert case_file.created_by == user_for(role)


@pytest.fixture
def registered(colleague) -> CaseFile:
    """Léa Dubois, registered at the CDM by a colleague."""
    return services.case_file_intake(
        acting_user=colleague, person_data=person_data(), case_data=case_data()
    )


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("LEA", "dubois"), ("Léa", "Dubois"), ("lea", "DUBOIS")],
)
def test_the_advisor_is_shown_the_existing_file_instead_of_a_duplicate(
    client_as, registered, first_name, last_name
):
    person = registered.young_person
    client = client_as("advisor")
    before = db_state()
    response = client.post(
        reverse("intake"),
        intake_post(person={"first_name": first_name, "last_name": last_name}),
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "This young person may already be registered" in text
    assert f'href="{reverse("case_detail", args=[registered.pk])}"' in text
    assert f"{reverse('intake')}?person={person.pk}" in text
    assert date_format(person.birth_date, "SHORT_DATE_FORMAT") in text
    assert input_value(response, "person-first_name") == first_name
    assert db_state() == before


def test_a_different_person_with_the_same_name_is_registered_once_confirmed(
    client_as, registered
):
    client = client_as("advisor")
    data = intake_post(person={"first_name": "Lea", "last_name": "DUBOIS"})
    client.post(reverse("intake"), data)
    response = client.post(reverse("intake"), {**data, "confirm_new_person": "on"})
    assert response.status_code == 302
    assert YoungPerson.objects.count() == 2
    assert CaseFile.objects.count() == 2


def test_the_existing_person_gets_a_new_case_file(client_as, registered):
    person = registered.young_person
    client = client_as("advisor")
    url = f"{reverse('intake')}?person={person.pk}"
    page = page_text(client.get(url))
    assert "who is already registered" in page
    assert str(person) in page
    data = {
        **intake_post(case={"programme": reference.programme("youth-cdm")}),
        "existing_person": str(person.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert YoungPerson.objects.count() == 1
    assert set(person.case_files.values_list("programme__code", flat=True)) == {
        "touchngo",
        "youth-cdm",
    }


def test_an_impossible_person_number_at_intake_is_not_found(client_as, db):
    client = client_as("advisor")
    client.raise_request_exception = False
    response = client.get(reverse("intake"), {"person": "9" * 24})
    assert response.status_code == 404


def test_another_organisation_cannot_reuse_a_person_it_may_not_see(
    client_as, registered
):
    person = registered.young_person
    client = client_as("other_advisor")
    before = db_state()
    opened = client.get(reverse("intake"), {"person": person.pk})
    posted = client.post(
        f"{reverse('intake')}?person={person.pk}",
        {**intake_post(), "existing_person": str(person.pk)},
    )
    assert opened.status_code == posted.status_code == 404
    assert_nothing_leaked(opened, registered)
    assert db_state() == before


def test_the_duplicate_guard_does_not_reveal_another_organisations_people(
    client_as, registered
):
    client = client_as("other_advisor")
    response = client.post(reverse("intake"), intake_post())
    assert response.status_code == 302
    assert "may already be registered" not in page_text(response)
    new_case = CaseFile.objects.exclude(pk=registered.pk).get()
    assert new_case.young_person != registered.young_person


# --- saves refused when someone else saved first ---

STALE_WARNING = "Someone else saved this record after you opened it."


def _hidden_version(response) -> str:
    value = input_value(response, "version")
    assert value, "the form carries no version"
    return value


def test_a_stale_case_file_save_shows_what_changed_and_keeps_the_input(
    client_as, case_file, colleague, today
):
    client = client_as("advisor")
    url = reverse("case_edit", args=[case_file.pk])
    opened = client.get(url)
    opened_version = _hidden_version(opened)
    theirs = today + datetime.timedelta(days=61)
    services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"next_follow_up_on": theirs},
        expected_version=case_file.version,
    )
    after_colleague = db_state()
    mine = today + datetime.timedelta(days=62)
    data = form_data(
        CaseFileForm(instance=case_file, user=case_file.advisor),
        version=opened_version,
        next_follow_up_on=mine,
        referred_by="Typed by the advisor",
    )
    response = client.post(url, data)

    assert response.status_code == 200
    assert db_state() == after_colleague
    assert STALE_WARNING in " ".join(flash_messages(response))
    text = page_text(response)
    assert "Changed by someone else since you opened this form" in text
    assert [
        (c.field, c.after, c.by) for c in response.context["form"].stale_changes
    ] == [
        (
            "next follow-up",
            date_format(theirs, "SHORT_DATE_FORMAT"),
            str(colleague),
        )
    ]
    assert str(colleague) in text
    assert date_format(theirs, "SHORT_DATE_FORMAT") in text
    assert input_value(response, "next_follow_up_on") == mine.isoformat()
    assert input_value(response, "referred_by") == "Typed by the advisor"

    # Saving again, with the form as it now stands, keeps the advisor's values.
    resubmitted = _hidden_version(response)
    assert resubmitted == str(CaseFile.objects.get(pk=case_file.pk).version)
    again = client.post(url, {**data, "version": resubmitted})
    assert again.status_code == 302
    stored = CaseFile.objects.get(pk=case_file.pk)
    assert stored.next_follow_up_on == mine
    assert stored.referred_by == "Typed by the advisor"


def test_a_stale_young_person_save_shows_what_changed(client_as, case_file, colleague):
    person = case_file.young_person
    client = client_as("advisor")
    url = reverse("person_edit", args=[case_file.pk])
    opened_version = _hidden_version(client.get(url))
    services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"phone": "0488 00 00 01", "email": "melodie@example.com"},
        expected_version=person.version,
        case_file=case_file,
    )
    after_colleague = db_state()
    data = form_data(
        YoungPersonForm(instance=person),
        version=opened_version,
        phone="0477 00 00 02",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert db_state() == after_colleague
    assert STALE_WARNING in " ".join(flash_messages(response))
    changes = {c.field: c for c in response.context["form"].stale_changes}
    assert set(changes) == {"phone", "e-mail"}
    # Personal fields: "before" is not kept by the audit trail, "now" is shown.
    assert (changes["phone"].before, changes["phone"].after) == ("", "0488 00 00 01")
    assert changes["e-mail"].by == str(colleague)
    text = page_text(response)
    for shown in ("0488 00 00 01", "melodie@example.com"):
        assert shown in text
    assert input_value(response, "phone") == "0477 00 00 02"

    again = client.post(url, {**data, "version": _hidden_version(response)})
    assert again.status_code == 302
    assert YoungPerson.objects.get(pk=person.pk).phone == "0477 00 00 02"


def test_a_stale_status_change_is_refused(client_as, case_file, colleague, today):
    client = client_as("advisor")
    url = reverse("case_transition", args=[case_file.pk, "follow_up"])
    opened_version = _hidden_version(client.get(url))
    services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"referred_by": "Changed meanwhile"},
        expected_version=case_file.version,
    )
    after_colleague = db_state()
    response = client.post(
        url, {"version": opened_version, "effective_date": today.isoformat()}
    )
    assert response.status_code == 200
    assert db_state() == after_colleague
    assert "Changed meanwhile" in page_text(response)


# --- languages ---


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_pages_speak_the_users_language(client, advisor, case_file, language):
    client.force_login(advisor)
    response = client.get(
        reverse("case_detail", args=[case_file.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    text = page_text(response)
    assert f'<html lang="{language}">' in text
    with translation.override(language):
        for msgid in ("My caseload", "Follow-up notes", "Path and situation at entry"):
            assert translation.gettext(msgid) in text
        assert case_file.young_person.commune.name in text
        assert case_file.programme.name in text
    if language != "en":
        with translation.override(language):
            assert translation.gettext("Follow-up notes") != "Follow-up notes"


def test_french_is_the_default(client, advisor):
    client.force_login(advisor)
    text = page_text(client.get(reverse("dashboard")))
    assert '<html lang="fr">' in text
    with translation.override("fr"):
        assert translation.gettext("My caseload") in text
    assert settings.LANGUAGE_CODE == "fr"


def test_the_chosen_language_is_kept(client, advisor):
    client.force_login(advisor)
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    text = page_text(client.get(reverse("case_list")))
    assert '<html lang="nl">' in text


# --- the number of queries does not grow with the rows shown ---


def _workload(advisor, n: int) -> None:
    """n open case files of the advisor, each with a note; follow-ups spread from
    three days ago to six days ahead (all due within the week)."""
    today = timezone.localdate()
    for index in range(n):
        case = CaseFileFactory(
            advisor=advisor,
            active=True,
            young_person__age=22,
            entry_date=today - datetime.timedelta(days=100),
            next_follow_up_on=today + datetime.timedelta(days=index % 10 - 3),
        )
        NoteFactory(
            case_file=case,
            contact_date=today - datetime.timedelta(days=20 + index % 30),
        )


# +2: outcomes' follow-ups after exit (the rows, and their counts in one aggregate).
# +2: the referrals declined and the files without consent (one select each).
# +2: follow-ups due today, overdue and in the coming week (one select each).
# +2: the advisor's week (follow-ups, sessions: one select each, whichever week).
DASHBOARD_QUERIES = 22
CASE_LIST_QUERIES = 13
# +2: the read of the person is audited on the person's other files (one select, one
# bulk insert, whatever their number).
# +2: outcomes' distance-travelled and goals panels (one select each).
# +2: outcomes' records panel (outcomes, follow-ups after exit: one select each).
# +1: the owner's visit marks the file's declined referrals seen (one update).
# -1: who accessed the file moved to a page of its own.
CASE_DETAIL_QUERIES = 22


@pytest.mark.parametrize("n", [3, 30])
def test_dashboard_queries(n, client_as, advisor, django_assert_num_queries):
    _workload(advisor, n)
    client = client_as("advisor")
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))
    assert len(response.context["my_open_cases"]) == n
    assert response.context["my_open_count"] == n
    overdue = sum(1 for index in range(n) if index % 10 - 3 < 0)
    context = response.context
    assert len(context["follow_ups_overdue"].rows) == min(8, overdue)
    assert context["follow_ups_overdue"].more == (overdue > 8)


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(
    "query",
    [{}, {"q": "a", "status": ["active", "intake"], "sort": "name", "page": "1"}],
)
def test_case_list_queries(n, query, client_as, advisor, django_assert_num_queries):
    _workload(advisor, n)
    client = client_as("advisor")
    with django_assert_num_queries(CASE_LIST_QUERIES):
        response = client.get(reverse("case_list"), query)
    assert response.status_code == 200
    if not query:
        assert len(response.context["page"].object_list) == min(
            n, settings.YOUTHTRACK_PAGE_SIZE
        )


@pytest.mark.parametrize("n", [3, 30])
def test_case_detail_queries(
    n, client_as, advisor, colleague, case_file, django_assert_num_queries
):
    for index in range(n):
        author = advisor if index % 2 else colleague
        NoteFactory(
            case_file=case_file, author=author, organisation=author.organisation
        )
        ConsentFactory(case_file=case_file)
        CaseFileFactory(
            young_person=case_file.young_person, advisor=advisor, closed=True
        )
    client = client_as("advisor")
    with django_assert_num_queries(CASE_DETAIL_QUERIES):
        response = client.get(reverse("case_detail", args=[case_file.pk]))
    # The latest notes, the others on the notes page.
    assert len(response.context["notes"]) == min(n, selectors.CASE_PAGE_NOTES)
    assert response.context["more_notes"] == (n > selectors.CASE_PAGE_NOTES)
    assert len(response.context["other_case_files"]) == n
