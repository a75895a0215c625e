"""The funder report pages: a project lead asks for a report, follows it and
downloads it (audited); advisors and partners cannot; another organisation's lead
gets 404; a figure's drill-down lists only the case files the viewer may see."""

import datetime

import pytest
from django.urls import reverse

from outcomes.models import ReportJob
from outcomes.reports import services
from outcomes.tasks import report_generate
from tests.factories import YoungPersonFactory
from tests.factories import reference as ref
from tests.youthtrack.sharing_helpers import make_user, org, signed_in
from youthtrack.models import AuditEvent, Operation, User

from .indicators_helpers import FROM, TO, operation, participation
from .reports_helpers import sample_result

D = datetime.date


def lead(username: str = "lea", org_code: str = "cdm", programme=None) -> User:
    user = make_user(username, org_code=org_code, role=User.Role.LEAD)
    user.programmes_led.add(programme or ref.programme("touchngo"))
    return user


def tng() -> Operation:
    return Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")


def form(**changes) -> dict:
    data = {
        "rule_set": "esfplus2021",
        "operation": str(tng().pk),
        "date_from": "2025-01-01",
        "date_to": "2025-12-31",
        "formats": ["pdf", "xlsx"],
    }
    data.update(changes)
    return data


@pytest.fixture
def fake_engine(monkeypatch):
    result = sample_result(operation="TNG-ESFPLUS-2021-2027")
    monkeypatch.setattr(services, "engine_for", lambda rule_set: lambda **kw: result)


@pytest.mark.django_db
def test_a_lead_asks_sees_it_queued_then_done_and_downloads_it(fake_engine):
    user = lead()
    client = signed_in(user)
    page = client.get(reverse("outcomes:report_list"))
    assert page.status_code == 200
    assert reverse("outcomes:report_list") in page.content.decode()  # navigation

    response = client.post(reverse("outcomes:report_list"), form())
    job = ReportJob.objects.get()
    assert response.url == reverse("outcomes:report_detail", args=[job.pk])
    queued = client.get(response.url).content.decode()
    assert "En attente" in queued and "data-poll" in queued  # "Queued"

    report_generate(job.pk)
    done = client.get(response.url).content.decode()
    assert "data-poll" not in done and "5f2c0a7e9d1b4c3a" in done
    download = reverse("outcomes:report_download", args=[job.pk, "xlsx"])
    assert download in done
    drill = reverse("outcomes:report_drilldown", args=[job.pk, "EECO01"])
    assert f'{drill}?gender=women">5<' in done

    file = client.get(download)
    assert file.status_code == 200
    assert b"".join(file.streaming_content)[:2] == b"PK"  # an XLSX workbook
    assert "no-store" in file["Cache-Control"]
    assert AuditEvent.objects.filter(
        actor=user,
        action="download",
        object_type="outcomes.reportjob",
        object_id=job.pk,
    ).exists()


@pytest.mark.django_db
def test_a_failed_report_says_why():
    user = lead()
    job = ReportJob.objects.create(
        organisation=user.organisation,
        requested_by=user,
        rule_set="esfplus2021",
        operation=tng(),
        date_from=FROM,
        date_to=TO,
        formats=["pdf"],
        status=ReportJob.Status.FAILED,
        failure_reason="no participant in the period",
    )
    page = signed_in(user).get(reverse("outcomes:report_detail", args=[job.pk]))
    assert "no participant in the period" in page.content.decode()


@pytest.mark.django_db
def test_a_lead_cannot_ask_for_an_operation_of_a_programme_they_do_not_lead():
    user = lead(programme=ref.programme("uppercut"))
    response = signed_in(user).post(reverse("outcomes:report_list"), form())
    assert response.status_code == 200
    assert "operation" in response.context["form"].errors
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date_from", "date_to", "refused"),
    [
        ("2015-01-01", "2015-12-31", True),  # before the operation
        ("2028-01-01", "2028-12-31", True),  # after it
        ("2020-06-01", "2021-06-30", False),  # overlapping its start
    ],
)
def test_a_period_outside_the_operation_is_refused_and_says_why(
    date_from, date_to, refused
):
    """A report of an operation over a period it does not cover would count nothing:
    a report of zeros that a funder could take for the operation's figures."""
    operation = tng()
    response = signed_in(lead(), HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("outcomes:report_list"),
        form(date_from=date_from, date_to=date_to),
    )
    if not refused:
        assert response.status_code == 302
        assert ReportJob.objects.count() == 1
        return
    assert response.status_code == 200
    errors = response.context["form"].errors["date_from"]
    assert errors == [
        "The period is outside the operation, which runs from "
        f"{operation.start:%d/%m/%Y} to {operation.end:%d/%m/%Y}: nothing would "
        "be counted."
    ]
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("org_code", "role"),
    [("cdm", User.Role.ADVISOR), ("actiris", User.Role.PARTNER)],
)
def test_advisors_and_partners_can_neither_ask_nor_download(org_code, role):
    owner = lead()
    job = ReportJob.objects.create(
        organisation=owner.organisation,
        requested_by=owner,
        rule_set="esfplus2021",
        operation=tng(),
        date_from=FROM,
        date_to=TO,
        formats=["pdf"],
        status=ReportJob.Status.DONE,
    )
    user = make_user("someone", org_code=org_code, role=role)
    client = signed_in(user)
    assert client.get(reverse("outcomes:report_list")).status_code == 403
    assert client.post(reverse("outcomes:report_list"), form()).status_code == 403
    assert (
        client.get(reverse("outcomes:report_download", args=[job.pk, "pdf"]))
    ).status_code == 403
    assert client.get(reverse("outcomes:report_quality")).status_code == 403
    assert ReportJob.objects.count() == 1
    assert reverse("outcomes:report_list") not in client.get("/").content.decode()


@pytest.mark.django_db
def test_another_organisations_lead_gets_404_on_a_job(fake_engine):
    owner = lead()
    job = services.report_job_request(
        acting_user=owner,
        rule_set="esfplus2021",
        operation=tng(),
        date_from=FROM,
        date_to=TO,
        formats=["pdf"],
    )
    report_generate(job.pk)
    stranger = signed_in(lead("olga", org_code="pole-academique"))
    for url in (
        reverse("outcomes:report_detail", args=[job.pk]),
        reverse("outcomes:report_download", args=[job.pk, "pdf"]),
        reverse("outcomes:report_drilldown", args=[job.pk, "EECO01"]),
    ):
        assert stranger.get(url).status_code == 404, url
    listed = stranger.get(reverse("outcomes:report_list")).content.decode()
    assert reverse("outcomes:report_detail", args=[job.pk]) not in listed


@pytest.mark.django_db
def test_the_drill_down_never_lists_a_case_the_viewer_cannot_see():
    op = operation("esfplus2021")
    ours = participation(
        op,
        person=YoungPersonFactory(
            first_name="Ouria",
            birth_date=D(2004, 6, 15),
            gender=ref.gender("female"),
            citizenship="be",
            created_by_organisation=org("cdm"),
        ),
    )
    theirs = participation(
        op,
        person=YoungPersonFactory(
            first_name="Theodora",
            birth_date=D(2004, 6, 15),
            gender=ref.gender("female"),
            citizenship="be",
            created_by_organisation=org("pole-academique"),
        ),
    )
    asker = lead(programme=op.programme)  # leads the programme: sees both files
    job = services.report_job_request(
        acting_user=asker,
        rule_set="esfplus2021",
        operation=op,
        date_from=FROM,
        date_to=TO,
        formats=["json"],
    )
    report_generate(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.failure_reason
    assert job.result["indicators"]["EECO01"]["women"] == 2
    url = reverse("outcomes:report_drilldown", args=[job.pk, "EECO01"])

    both = signed_in(asker).get(url, {"gender": "women"}).content.decode()
    assert "Ouria" in both and "Theodora" in both

    # A gender that is not a figure's column is not a page.
    assert signed_in(asker).get(url, {"gender": "x"}).status_code == 404
    # The participant-level list for the funder: the same participants, audited.
    exported = signed_in(asker).get(url, {"gender": "women", "format": "csv"})
    rows = exported.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 3
    assert any("Ouria" in row and str(ours.pk) in row for row in rows)
    assert AuditEvent.objects.filter(
        actor=asker, action=AuditEvent.Action.EXPORT, object_id=job.pk
    ).exists()
    # A lead of the same organisation who does not lead the programme may not ask
    # for its reports, nor read them: its figures count other organisations'
    # participants (a probe read them through a colleague's report).
    colleague = make_user("colette", org_code="cdm", role=User.Role.LEAD)
    page = reverse("outcomes:report_detail", args=[job.pk])
    assert signed_in(colleague).get(page).status_code == 404
    refused = signed_in(colleague).get(url, {"gender": "women"})
    assert refused.status_code == 404
    assert "Theodora" not in refused.content.decode()
    assert reverse("case_detail", args=[theirs.pk]) not in refused.content.decode()
    assert reverse("case_detail", args=[ours.pk]) in both


@pytest.mark.django_db
def test_the_quality_page_lists_incomplete_participants_the_lead_may_see():
    op = operation("esfplus2021")

    def person(first_name, org_code):
        return YoungPersonFactory(
            first_name=first_name,
            birth_date=D(2004, 6, 15),
            gender=ref.gender("female"),
            citizenship="be",
            created_by_organisation=org(org_code),
        )

    ours = participation(op, status="", person=person("Ines", "cdm"))
    participation(op, status="", person=person("Theodora", "pole-academique"))
    participation(op, since=D(2024, 6, 1), person=person("Complete", "cdm"))
    asker = lead(programme=op.programme)
    query = {"operation": op.pk, "date_from": "2025-01-01", "date_to": "2025-12-31"}
    page = signed_in(asker).get(reverse("outcomes:report_quality"), query)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Ines" in body and reverse("case_detail", args=[ours.pk]) in body
    assert "Theodora" in body  # a lead of the programme sees its participants
    assert "Complete" not in body

    # A lead who does not lead the programme cannot choose its operation.
    colleague = make_user("colette", org_code="cdm", role=User.Role.LEAD)
    refused = signed_in(colleague).get(reverse("outcomes:report_quality"), query)
    assert refused.status_code == 200
    assert "operation" in refused.context["form"].errors
    assert "Ines" not in refused.content.decode()


@pytest.mark.django_db
def test_the_web_report_and_the_command_give_the_same_figures(tmp_path):
    """What a lead downloads from the web page and what ``funder_report`` prints
    for the same operation and period are the same figures and checksum."""
    import json

    from django.core.management import call_command

    op = operation("esfplus2021")
    for first_name, gender in [
        ("Amina", "female"),
        ("Bram", "male"),
        ("Cleo", "non_binary"),
    ]:
        participation(
            op,
            person=YoungPersonFactory(
                first_name=first_name,
                birth_date=D(2003, 3, 1),
                gender=ref.gender(gender),
                citizenship="be",
                created_by_organisation=org("cdm"),
            ),
        )
    asker = lead(programme=op.programme)
    job = services.report_job_request(
        acting_user=asker,
        rule_set="esfplus2021",
        operation=op,
        date_from=FROM,
        date_to=TO,
        formats=["json"],
    )
    report_generate(job.pk)
    job.refresh_from_db()
    output = tmp_path / "report.json"
    call_command(
        "funder_report",
        "esfplus2021",
        f"--operation={op.reference}",
        f"--from={FROM.isoformat()}",
        f"--to={TO.isoformat()}",
        "--format=json",
        f"--output={output}",
    )
    printed = json.loads(output.read_text())
    assert printed["indicators"] == job.result["indicators"]
    assert printed["checksum"] == job.result["checksum"]
    assert printed["indicators"]["EECO01"]["total"] == 3
    page = signed_in(asker).get(reverse("outcomes:report_detail", args=[job.pk]))
    assert page.status_code == 200


@pytest.mark.django_db
def test_the_yearly_activity_figures_open_for_the_lead_who_asked():
    """A newcomer asked for the yearly activity figures (no operation) and was sent
    to a 404: the lead's reports kept only those of the programmes they lead."""
    asker = lead(programme=tng().programme)
    job = services.report_job_request(
        acting_user=asker,
        rule_set=ReportJob.RuleSet.ACTIVITY,
        operation=None,
        date_from=FROM,
        date_to=TO,
        formats=["pdf"],
    )
    report_generate(job.pk)
    client = signed_in(asker, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("outcomes:report_detail", args=[job.pk]))
    assert page.status_code == 200
    listed = client.get(reverse("outcomes:report_list")).content.decode()
    assert reverse("outcomes:report_detail", args=[job.pk]) in listed
    # One report: no "only the first … are listed" under the list.
    assert "Only the first" not in listed
    # The parameters are named, never shown as internal keys.
    job.refresh_from_db()
    assert job.parameters
    for key in job.parameters:
        assert f"<dt>{key}</dt>" not in page.content.decode()


@pytest.mark.django_db
def test_the_quality_page_offers_last_year_as_the_report_form_does():
    op = operation("esfplus2021")
    asker = signed_in(lead(programme=op.programme))
    page = asker.get(reverse("outcomes:report_quality"))
    assert page.status_code == 200
    last_year = datetime.date.today().year - 1
    form = page.context["form"]
    assert form["date_from"].value() == datetime.date(last_year, 1, 1)
    assert form["date_to"].value() == datetime.date(last_year, 12, 31)
    assert f'value="{last_year}-01-01"' in page.content.decode()
