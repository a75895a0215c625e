"""The intake and edit forms read in order (identity, contact, situation at entry,
sensitive questions with why they are asked, referral), and a form sent with several
mistakes shows all of them at once."""

import re

import pytest
from django.urls import reverse

from tests.factories.helpers import intake_post
from tests.youthtrack.helpers import field_errors, page_text
from youthtrack.models import CaseFile, YoungPerson

pytestmark = pytest.mark.django_db

ORDER = [
    "Identity",
    "Contact",
    "Situation at entry",
    "Sensitive questions",
    "Referral",
    "Programme and follow-up",
    "Consent",
]


def legends(response) -> list[str]:
    return [
        re.sub(r"\s+", " ", legend).strip()
        for legend in re.findall(
            r'<fieldset class="card[^>]*>\s*<legend>(.*?)</legend>',
            response.content.decode(),
            re.S,
        )
    ]


def test_the_intake_reads_in_fieldsets_in_order(client_as):
    response = client_as("advisor").get(reverse("intake"))
    assert legends(response)[: len(ORDER)] == ORDER
    text = page_text(response)
    # The sensitive questions say why they are asked, tied to their fieldset.
    assert "The European Social Fund (ESF+) asks these questions" in text
    assert 'aria-describedby="group-sensitive-why"' in response.content.decode()
    # Each field in the fieldset of its kind.
    html = response.content.decode()
    sensitive = html[
        html.index('id="group-sensitive"') : html.index('id="group-referral"')
    ]
    assert 'name="case-disability"' in sensitive
    identity = html[
        html.index('id="group-identity"') : html.index('id="group-contact"')
    ]
    assert 'name="person-birth_date"' in identity


def test_every_mistake_of_the_intake_shows_in_the_first_round(client_as):
    post = intake_post()
    post["person-first_name"] = ""  # the person's part
    post["case-programme"] = ""  # the case file's part
    post["case-employment_status"] = ""
    post["consent-keep"] = ""  # the consent step
    response = client_as("advisor").post(reverse("intake"), post)
    assert response.status_code == 200
    assert field_errors(response, "id_person-first_name")
    assert field_errors(response, "id_case-programme")
    assert field_errors(response, "id_consent-keep")
    # One summary lists them all, each linking to its field.
    summary = response.content.decode().split('class="error-summary"', 1)[1]
    summary = summary.split("</div>", 1)[0]
    links = [
        summary.index(f'href="#{field_id}')
        for field_id in (
            "id_person-first_name",
            "id_case-employment_status",
            "id_case-programme",
            "id_consent-keep",
        )
    ]
    # Listed in the order the form is read (the programme's fieldset comes after
    # the situation at entry).
    assert links == sorted(links)
    assert not YoungPerson.objects.exists()
    assert not CaseFile.objects.exists()


def test_the_edit_forms_are_grouped_too(client_as, case_file):
    client = client_as("advisor")
    case_page = client.get(reverse("case_edit", args=[case_file.pk]))
    assert legends(case_page)[:4] == [
        "Situation at entry",
        "Sensitive questions",
        "Referral",
        "Programme and follow-up",
    ]
    person_page = client.get(reverse("person_edit", args=[case_file.pk]))
    assert legends(person_page)[:2] == ["Identity", "Contact"]
