"""The case page stays short: the latest notes, then "all notes" on a page of their
own; who accessed the file on its own tab, one's own repeated visits grouped."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import NoteFactory
from tests.youthtrack.helpers import page_text
from youthtrack import selectors
from youthtrack.models import AuditEvent

pytestmark = pytest.mark.django_db


def _notes(case_file, author, count):
    today = datetime.date.today()
    return [
        NoteFactory(
            case_file=case_file,
            author=author,
            organisation=author.organisation,
            topic=f"Topic {n:02d}",
            contact_date=today - datetime.timedelta(days=n),
        )
        for n in range(count)
    ]


def test_the_case_page_shows_the_latest_notes_and_links_to_all(
    client_as, advisor, case_file
):
    _notes(case_file, advisor, selectors.CASE_PAGE_NOTES + 3)
    client = client_as("advisor")
    text = page_text(client.get(reverse("case_detail", args=[case_file.pk])))
    assert "Topic 00" in text  # the latest
    assert f"Topic {selectors.CASE_PAGE_NOTES - 1:02d}" in text
    assert f"Topic {selectors.CASE_PAGE_NOTES:02d}" not in text
    assert "All notes of this file" in text
    everything = page_text(client.get(reverse("case_notes", args=[case_file.pk])))
    for n in range(selectors.CASE_PAGE_NOTES + 3):
        assert f"Topic {n:02d}" in everything


def test_a_few_notes_need_no_link_and_no_note_says_what_to_do(
    client_as, advisor, case_file
):
    client = client_as("advisor")
    text = page_text(client.get(reverse("case_detail", args=[case_file.pk])))
    assert "Write the first note after a contact." in text
    _notes(case_file, advisor, 2)
    text = page_text(client.get(reverse("case_detail", args=[case_file.pk])))
    assert "All notes of this file" not in text


def test_the_notes_page_is_paged(client_as, advisor, case_file, monkeypatch):
    monkeypatch.setattr(selectors, "NOTES_PER_PAGE", 3)
    _notes(case_file, advisor, 7)
    client = client_as("advisor")
    url = reverse("case_notes", args=[case_file.pk])
    first = client.get(url)
    assert first.context["page"].paginator.num_pages == 3
    last = page_text(client.get(url, {"page": "3"}))
    assert "Topic 06" in last and "Topic 00" not in last


def test_who_accessed_the_file_has_its_own_tab_and_groups_my_visits(
    client_as, advisor, colleague, case_file
):
    client = client_as("advisor")
    detail_url = reverse("case_detail", args=[case_file.pk])
    AuditEvent.objects.create(
        actor=colleague,
        organisation=colleague.organisation,
        action=AuditEvent.Action.VIEW,
        object_type="casefile",
        object_id=str(case_file.pk),
        case_file=case_file,
    )
    for _ in range(3):
        client.get(detail_url)
    detail = page_text(client.get(detail_url))
    assert "From address" not in detail  # the log is no longer on the case page
    response = client.get(reverse("case_access_log", args=[case_file.pk]))
    text = page_text(response)
    assert "you, 4 times, last on" in text  # grouped: my four visits in a row
    assert str(colleague) in text
    rows = response.context["rows"]
    assert [row.count for row in rows] == [4, 1]
