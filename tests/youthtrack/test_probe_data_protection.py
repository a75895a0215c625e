"""An attacker's probes of the data protection round: users of another organisation
and lower roles guessing ids on the new pages (merge, erasure, legal hold, the
officer's pages, the right of access), inference through the erasure page, the
duplicate guard and the search token, and odd input on the new forms."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import CaseFileFactory
from tests.factories import reference as ref
from tests.youthtrack.sharing_helpers import (
    confirmed_device,
    make_case,
    make_user,
    org,
    share_case,
    signed_in,
    verify_session,
)
from youthtrack.models import AuditEvent, CaseFile, Share, User, YoungPerson
from youthtrack.services import anonymisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def officer_client(user: User):
    client = signed_in(user, HTTP_ACCEPT_LANGUAGE="en")
    verify_session(client, confirmed_device(user))
    return client


def cdm_file(first="Zéphyrine", last="Quillfeather") -> CaseFile:
    advisor = User.objects.filter(username="sarah").first() or make_user(
        "sarah", org_code="cdm"
    )
    return make_case(
        advisor=advisor,
        first_name=first,
        last_name=last,
        phone="0499 12 34 56",
        email="zq@example.org",
    )


def closed(case_file: CaseFile) -> CaseFile:
    CaseFile.objects.filter(pk=case_file.pk).update(
        status=CaseFile.Status.CLOSED, exit_date=case_file.entry_date
    )
    return CaseFile.objects.get(pk=case_file.pk)


def actiris_file_of(person: YoungPerson, advisor: User) -> CaseFile:
    """A second file of the same young person, kept by Actiris."""
    return CaseFileFactory(
        active=True,
        young_person=person,
        owner_organisation=advisor.organisation,
        advisor=advisor,
        programme=ref.programme("touchngo"),
    )


# --- guessing ids on the new pages ---------------------------------------------------


def test_another_organisations_staff_reach_none_of_our_new_pages():
    case_file = cdm_file()
    person = case_file.young_person
    their_lead = make_user("tlead", org_code="actiris", role=User.Role.LEAD)
    # Leads a programme of their own (a programme's lead sees its files, whoever
    # keeps them: that is the programme's, not the organisation's, gate).
    their_lead.programmes_led.add(ref.programme("touchngo"))
    their_dpo = make_user("tdpo", org_code="actiris", role=User.Role.DPO)
    their_file = make_case(
        advisor=make_user("tadv", org_code="actiris"),
        first_name="Octave",
        last_name="Vanderelst",
        phone="0477 00 00 00",
        email="ov@example.org",
        programme="touchngo",
    )
    lead_client = signed_in(their_lead, HTTP_ACCEPT_LANGUAGE="en")
    officer = officer_client(their_dpo)
    # Merge: from our file, or from theirs with our person's id or file number.
    assert lead_client.get(
        reverse("person_merge", args=[case_file.pk])
    ).status_code in (
        403,
        404,
    )
    merge_theirs = reverse("person_merge", args=[their_file.pk])
    for data in ({"with": person.pk}, {"with": person.pk, "keep": person.pk}):
        assert lead_client.post(merge_theirs, data).status_code in (403, 404)
    by_number = lead_client.get(merge_theirs, {"file": case_file.pk})
    assert "Quillfeather" not in by_number.content.decode()
    # Erasure, legal hold, the officer's pages and the right of access.
    erase = reverse("outcomes:person_erase", args=[person.pk])
    assert officer.get(erase).status_code == 404
    assert officer.post(erase, {"reason": "asked", "confirm": "on"}).status_code == 404
    hold = reverse("outcomes:legal_hold", args=[case_file.pk])
    for client in (lead_client, officer):
        assert client.get(hold).status_code == 404
        assert client.post(hold, {"set": "1", "reason": "x"}).status_code == 404
    assert officer.get(reverse("dpo_person", args=[person.pk])).status_code == 404
    access = reverse("outcomes:subject_access_export", args=[person.pk])
    for fmt in ("pdf", "json"):
        assert officer.post(access, {"format": fmt}).status_code == 404
    found = officer.post(reverse("dpo_people"), {"name": "Quillfeather"}, follow=True)
    assert not found.context["people"]
    assert "0499 12 34 56" not in found.content.decode()
    after = YoungPerson.objects.get(pk=person.pk)
    assert (after.anonymised_at, after.merged_into_id) == (None, None)
    assert CaseFile.objects.get(pk=case_file.pk).legal_hold_since is None


def test_lower_roles_of_our_organisation_neither_merge_erase_nor_hold():
    case_file = closed(cdm_file())
    person = case_file.young_person
    advisor = User.objects.get(username="sarah")
    partner_staff = make_user("pstaff", org_code="actiris", role=User.Role.PARTNER)
    share_case(cdm_file("Other", "Shared"), owner=advisor, partner_user=partner_staff)
    for user in (advisor, partner_staff):
        client = signed_in(user, HTTP_ACCEPT_LANGUAGE="en")
        assert client.get(reverse("person_merge", args=[case_file.pk])).status_code in (
            403,
            404,
        )
        assert (
            client.post(
                reverse("outcomes:person_erase", args=[person.pk]),
                {"reason": "x", "confirm": "on"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("outcomes:legal_hold", args=[case_file.pk]),
                {"set": "1", "reason": "x"},
            ).status_code
            == 404
        )
    assert YoungPerson.objects.get(pk=person.pk).anonymised_at is None


def test_a_search_token_is_worth_nothing_in_another_session():
    case_file = cdm_file()
    advisor = User.objects.get(username="sarah")
    mine = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    posted = mine.post(reverse("case_list"), {"q": "Quillfeather"})
    assert posted.status_code == 302
    url = posted["Location"]
    assert "Quillfeather" not in url
    assert "Quillfeather" in mine.get(url).content.decode()
    # The token, given to another organisation's advisor (a link pasted in a
    # mail), does not say what was searched: no name in their search box, and the
    # list says the search is no longer available.
    other = make_user("thomas", org_code="actiris")
    theirs = signed_in(other, HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert theirs.status_code == 200
    text = theirs.content.decode()
    assert "Quillfeather" not in text
    assert "no longer available" in text
    assert not theirs.context["filter"].form.data.get("q")
    assert case_file.young_person.last_name == "Quillfeather"


# --- what the erasure page tells about another organisation's file ------------------


def test_the_erasure_page_shows_nothing_of_another_organisations_file():
    case_file = closed(cdm_file())
    person = case_file.young_person
    their_advisor = make_user("tadv", org_code="actiris")
    theirs = actiris_file_of(person, their_advisor)
    from tests.youthtrack.sharing_helpers import make_note

    make_note(theirs, their_advisor, "organisation", "Confidential", "Their topic")
    make_note(theirs, their_advisor, "organisation", "Confidential 2", "Topic 2")
    anonymisation.legal_hold_set(
        case_file=theirs,
        acting_user=make_user("tlead", org_code="actiris", role=User.Role.LEAD),
        reason="Their own audit",
    )
    officer = officer_client(make_user("delphine", org_code="cdm", role=User.Role.DPO))
    page = officer.get(reverse("outcomes:person_erase", args=[person.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    # Our file is there; theirs is why the erasure waits, and nothing more.
    assert f"#{case_file.pk}" in text
    assert "Kept by another organisation" in text
    assert str(org("actiris")) not in text
    assert "Under legal hold" not in text  # their hold is theirs to know
    assert "Still open" not in text  # … and so is their file's status
    assert "follow-up notes: 2" not in text.lower()  # their notes are not counted
    assert page.context["preview"].case_files == [case_file]


# --- merge: odd input ----------------------------------------------------------------


def _lead_of(case_file: CaseFile) -> User:
    lead = make_user("lea", org_code="cdm", role=User.Role.LEAD)
    lead.programmes_led.add(case_file.programme)
    return lead


def test_a_merge_into_itself_or_with_a_merged_record_is_refused():
    first = cdm_file("Adam", "Julien")
    second = cdm_file("Julien", "Adam")
    third = cdm_file("Adam", "Julienne")
    client = signed_in(_lead_of(first), HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("person_merge", args=[first.pk])
    itself = client.post(
        url, {"with": first.young_person_id, "keep": first.young_person_id}
    )
    assert itself.status_code == 404
    assert YoungPerson.objects.get(pk=first.young_person_id).merged_into_id is None
    done = client.post(
        url, {"with": second.young_person_id, "keep": first.young_person_id}
    )
    assert done.status_code == 302
    # The record merged away is no longer anyone to merge with.
    again = client.post(
        reverse("person_merge", args=[third.pk]),
        {"with": second.young_person_id, "keep": second.young_person_id},
    )
    assert again.status_code == 404
    assert YoungPerson.objects.get(pk=third.young_person_id).merged_into_id is None
    by_number = client.post(
        reverse("person_merge", args=[third.pk]), {"file": str(second.pk)}
    )
    # Its file moved to the person kept: merging by its number finds the person kept.
    assert by_number.status_code == 200


def test_an_erased_person_is_never_merged_back_to_a_name():
    erased_file = closed(cdm_file("Adam", "Julien"))
    erased = erased_file.young_person
    anonymisation.young_person_erase(
        person=erased,
        acting_user=make_user("delphine", org_code="cdm", role=User.Role.DPO),
        reason="Asked on 3 March",
    )
    live = cdm_file("Adam", "Julien")
    client = signed_in(_lead_of(live), HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("person_merge", args=[live.pk])
    for keep in (live.young_person_id, erased.pk):
        response = client.post(url, {"with": erased.pk, "keep": keep})
        assert response.status_code == 404
    by_number = client.post(url, {"file": str(erased_file.pk)})
    assert by_number.context["other"] is None
    assert "This person has already been anonymised." in by_number.content.decode()
    # The erased file stays with nobody's name; the live person stays who they are.
    assert CaseFile.objects.get(pk=erased_file.pk).young_person_id == erased.pk
    assert YoungPerson.objects.get(pk=live.young_person_id).merged_into_id is None
    assert YoungPerson.objects.get(pk=erased.pk).merged_into_id is None
    # Nor is a new case file opened for them (back at the intake by their number).
    advisor = signed_in(User.objects.get(username="sarah"), HTTP_ACCEPT_LANGUAGE="en")
    assert advisor.get(reverse("intake"), {"person": erased.pk}).status_code == 404


# --- erasure, hold, consent and referral: odd input ---------------------------------


def test_erasing_twice_an_open_file_and_a_hold_on_an_anonymised_file():
    open_file = cdm_file("Open", "Stillhere")
    officer_user = make_user("delphine", org_code="cdm", role=User.Role.DPO)
    officer = officer_client(officer_user)
    url = reverse("outcomes:person_erase", args=[open_file.young_person_id])
    refused = officer.post(url, {"reason": "asked", "confirm": "on"})
    assert refused.status_code == 200
    assert "Still open" in refused.content.decode()
    assert YoungPerson.objects.get(pk=open_file.young_person_id).first_name == "Open"

    done_file = closed(cdm_file())
    url = reverse("outcomes:person_erase", args=[done_file.young_person_id])
    assert officer.post(url, {"reason": "asked", "confirm": "on"}).status_code == 302
    rows = AuditEvent.objects.count()
    twice = officer.post(url, {"reason": "asked", "confirm": "on"})
    assert twice.status_code == 200
    assert "Anonymised on" in twice.content.decode()
    assert AuditEvent.objects.count() == rows
    hold = officer.post(
        reverse("outcomes:legal_hold", args=[done_file.pk]),
        {"set": "1", "reason": "late audit"},
    )
    assert hold.status_code == 200
    assert "Anonymised on" in hold.content.decode()
    assert CaseFile.objects.get(pk=done_file.pk).legal_hold_since is None


def test_a_consent_withdrawn_twice_and_a_revoked_share_declined_change_nothing():
    case_file = cdm_file()
    advisor = User.objects.get(username="sarah")
    partner_staff = make_user("pstaff", org_code="actiris", role=User.Role.PARTNER)
    share = share_case(case_file, owner=advisor, partner_user=partner_staff)
    consent = share.consent
    assert consent is not None
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    withdraw = reverse("consent_withdraw", args=[case_file.pk, consent.pk])
    on = {"confirm": "1", "withdrawn_on": consent.given_on.isoformat()}
    first = client.post(withdraw, on)
    assert first.status_code in (200, 302)
    consent.refresh_from_db()
    withdrawn_on = consent.withdrawn_on
    assert withdrawn_on is not None
    rows = AuditEvent.objects.count()
    second = client.post(withdraw, on)
    assert second.status_code < 500
    consent.refresh_from_db()
    assert consent.withdrawn_on == withdrawn_on
    assert AuditEvent.objects.count() == rows

    # A share revoked, then declined by the partner by its guessed id.
    other = cdm_file("Second", "Referral")
    pending = share_case(other, owner=advisor, partner_user=partner_staff, accept=False)
    client.post(reverse("share_revoke", args=[other.pk, pending.pk]), {"confirm": "1"})
    status = Share.objects.get(pk=pending.pk).status
    partner = signed_in(partner_staff, HTTP_ACCEPT_LANGUAGE="en")
    declined = partner.post(
        reverse("share_decline", args=[pending.pk]),
        {"confirm": "1", "reason": "Too late"},
    )
    assert declined.status_code < 500
    assert Share.objects.get(pk=pending.pk).status == status


# --- the duplicate guard -------------------------------------------------------------


def test_the_guard_tells_nothing_of_another_organisations_person_nor_of_an_erased_one():
    from youthtrack.duplicates import intake_duplicates

    theirs = make_case(
        advisor=make_user("tadv", org_code="actiris"),
        first_name="Octave",
        last_name="Vanderelst",
        phone="0477 00 00 00",
        email="ov@example.org",
    ).young_person
    erased_file = closed(cdm_file())
    erased = YoungPerson.objects.get(pk=erased_file.young_person_id)
    name, born = (erased.first_name, erased.last_name), erased.birth_date
    anonymisation.young_person_erase(
        person=erased,
        acting_user=make_user("delphine", org_code="cdm", role=User.Role.DPO),
        reason="asked",
    )
    advisor = User.objects.get(username="sarah")
    assert (
        intake_duplicates(
            user=advisor,
            first_name="Octave",
            last_name="Vanderelst",
            birth_date=theirs.birth_date,
        )
        == []
    )
    assert (
        intake_duplicates(
            user=advisor, first_name=name[0], last_name=name[1], birth_date=born
        )
        == []
    )
    # Nor does opening a new file for their person by its guessed id.
    page = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("intake"), {"person": theirs.pk}
    )
    assert "Vanderelst" not in page.content.decode()


def test_an_erased_person_is_found_by_their_old_name_nowhere():
    case_file = closed(cdm_file())
    born = case_file.young_person.birth_date
    officer_user = make_user("delphine", org_code="cdm", role=User.Role.DPO)
    anonymisation.young_person_erase(
        person=case_file.young_person, acting_user=officer_user, reason="asked"
    )
    advisor = signed_in(User.objects.get(username="sarah"), HTTP_ACCEPT_LANGUAGE="en")
    found = advisor.post(reverse("case_list"), {"q": "Quillfeather"}, follow=True)
    assert found.status_code == 200
    assert case_file.pk not in [case.pk for case in found.context["page"]]
    export = advisor.get(reverse("case_list_export")).content.decode()
    assert f"{case_file.pk}," in export  # the file is kept for the figures…
    assert "Quillfeather" not in export and "Zéphyrine" not in export  # … nameless
    officer = officer_client(officer_user)
    searched = officer.post(
        reverse("dpo_people"),
        {"name": "Quillfeather", "birth_date": born.isoformat()},
        follow=True,
    )
    assert not searched.context["people"]


# --- inference by a partner: filters and sorting the scope does not show ------------


def test_a_partner_cannot_filter_or_sort_shared_files_by_an_answer_it_does_not_see():
    advisor = User.objects.filter(username="sarah").first() or make_user(
        "sarah", org_code="cdm"
    )
    partner_staff = make_user("pstaff", org_code="actiris", role=User.Role.PARTNER)
    with_answer = cdm_file("Avec", "Handicap")
    without = cdm_file("Sans", "Handicap")
    for case_file, answer in ((with_answer, "yes"), (without, "no")):
        CaseFile.objects.filter(pk=case_file.pk).update(
            disability=answer, homeless=answer, minority=answer
        )
        share_case(case_file, owner=advisor, partner_user=partner_staff)
    client = signed_in(partner_staff, HTTP_ACCEPT_LANGUAGE="en")

    def listed(**params) -> list[int]:
        response = client.get(reverse("case_list"), params)
        assert response.status_code == 200
        return [case.pk for case in response.context["page"]]

    def exported(**params) -> str:
        return client.get(reverse("case_list_export"), params).content.decode()

    both = sorted(listed())
    assert both == sorted([with_answer.pk, without.pk])
    for name in ("disability", "homeless", "minority", "referred_by"):
        for lookup in (name, f"{name}__exact", f"case__{name}"):
            for value in ("yes", "no"):
                assert sorted(listed(**{lookup: value})) == both
        for sort in (name, f"-{name}"):
            # An unknown order is refused (an empty list), never applied.
            assert listed(sort=sort) in ([], listed())
            assert exported(sort=sort) in (exported(sort="zzz"), exported())
        assert exported(**{name: "yes"}) == exported(**{name: "no"})


def test_equal_personal_values_on_two_records_leave_unrelated_fingerprints():
    """Two young people renamed to the same name: the trail cannot tell that they
    share it (each fingerprint is keyed by its record), only that each changed."""
    from youthtrack.audit import record_audit_event

    advisor = User.objects.filter(username="sarah").first() or make_user(
        "sarah", org_code="cdm"
    )
    rows = []
    for case_file in (cdm_file("Anna", "Peeters"), cdm_file("Bert", "Maes")):
        rows.append(
            record_audit_event(
                actor=advisor,
                action=AuditEvent.Action.UPDATE,
                obj=case_file.young_person,
                case_file=case_file,
                changes={"last_name": ["Old", "Janssens"], "phone": ["", "0499"]},
            )
        )
    first, second = (row.changes for row in rows)
    for field in ("last_name", "phone"):
        assert first[field]["changed"] and second[field]["changed"]
        assert first[field]["after"] != second[field]["after"]
        assert "Janssens" not in str(first) and "0499" not in str(second)
    assert first["phone"]["before"] is None  # empty stays empty, nothing to compare


def test_a_consent_or_share_of_another_file_is_reached_through_none_of_ours():
    """Our file's number with the id of another organisation's consent or sharing
    (the confirmation pages), and a decline of a referral addressed elsewhere."""
    advisor = User.objects.filter(username="sarah").first() or make_user(
        "sarah", org_code="cdm"
    )
    ours = cdm_file()
    their_advisor = make_user("tadv", org_code="actiris")
    cdm_partner = make_user("cpartner", org_code="cdm", role=User.Role.PARTNER)
    theirs = make_case(
        advisor=their_advisor,
        first_name="Octave",
        last_name="Vanderelst",
        phone="0477 00 00 00",
        email="ov@example.org",
        programme="touchngo",
    )
    their_share = share_case(
        theirs, owner=their_advisor, partner_user=cdm_partner, accept=False
    )
    assert their_share.consent is not None
    client = signed_in(advisor, HTTP_ACCEPT_LANGUAGE="en")
    withdraw = reverse("consent_withdraw", args=[ours.pk, their_share.consent.pk])
    revoke = reverse("share_revoke", args=[ours.pk, their_share.pk])
    for url in (withdraw, revoke):
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "1"}).status_code == 404
    # Only the organisation a referral is addressed to declines it: not the
    # referring organisation's other staff, guessing its number.
    outsider = signed_in(make_user("tother", org_code="actiris"))
    decline = reverse("share_decline", args=[their_share.pk])
    assert outsider.post(decline, {"confirm": "1", "reason": "no"}).status_code == 404
    after = Share.objects.get(pk=their_share.pk)
    assert after.status == Share.Status.PENDING
    assert after.consent is not None and after.consent.withdrawn_on is None


def test_a_file_elsewhere_already_anonymised_does_not_hold_the_erasure_back_for_ever():
    """Another organisation's file of the person, anonymised at the end of its
    retention (the person kept their name for our file): nothing of the person is
    left there, so our officer erases them. It said to ask the other organisation's
    officer, whose erasure our file blocked in turn: nobody could erase them."""
    ours = closed(cdm_file())
    person = ours.young_person
    their_advisor = make_user("tadv", org_code="actiris")
    theirs = closed(actiris_file_of(person, their_advisor))
    done = anonymisation._anonymise(
        [theirs],
        person_too=set(),
        actor=None,
        reason="",
        action=AuditEvent.Action.RETENTION,
    )
    assert done.case_files == [theirs.pk] and done.people == []
    assert YoungPerson.objects.get(pk=person.pk).anonymised_at is None

    officer_user = make_user("delphine", org_code="cdm", role=User.Role.DPO)
    officer = officer_client(officer_user)
    url = reverse("outcomes:person_erase", args=[person.pk])
    page = officer.get(url).content.decode()
    assert "Kept by another organisation" not in page
    assert "Erase for good" in page
    assert officer.post(url, {"reason": "asked", "confirm": "on"}).status_code == 302
    erased = YoungPerson.objects.get(pk=person.pk)
    assert erased.anonymised_at is not None
    assert erased.last_name != "Quillfeather"
    # The other organisation's officer, for their part, had been told the same.
    their_officer = make_user("tdpo", org_code="actiris", role=User.Role.DPO)
    assert anonymisation.erasure_blockers(erased, their_officer) == []
