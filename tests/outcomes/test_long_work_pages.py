"""Long work never blocks a page: a report or an import shows a bar with its figure
(or that it waits its turn) and re-reads itself until done, then offers the result;
before any, the lists say what to do."""

import pytest
from django.urls import reverse

from outcomes.models import ImportRun, ReportJob
from outcomes.tasks import import_process, report_generate
from tests.youthtrack.sharing_helpers import signed_in

from .indicators_helpers import FROM, TO
from .test_import_jobs import lead, sent, uploaded  # noqa: F401
from .test_reports_views import fake_engine, tng  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_import_shows_its_progress_then_offers_the_import(lead, sent):  # noqa: F811
    client = signed_in(lead, HTTP_ACCEPT_LANGUAGE="en")
    history = page(client, reverse("outcomes:import_records"))
    assert "No file checked or imported yet" in history
    template = reverse("outcomes:import_template")
    assert f'<a href="{template}">Download the template workbook</a>' in history

    run = uploaded(lead)
    ImportRun.objects.filter(pk=run.pk).update(progress=40)
    url = reverse("outcomes:import_run", args=[run.pk])
    following = page(client, url)
    assert "data-poll" in following
    assert 'value="40"' in following and "<span>40 %</span>" in following
    assert f'href="{url}">Refresh</a>' in following  # without JavaScript
    history = page(client, reverse("outcomes:import_records"))
    assert "Being checked (40 %)" in history
    assert "No file checked or imported yet" not in history

    import_process.apply(args=[run.pk], task_id="t1").get()
    done = page(client, url)
    assert "data-poll" not in done and "<progress" not in done
    assert '<button type="submit" class="button">Import</button>' in done


def test_a_report_waits_its_turn_runs_then_offers_its_files(lead, fake_engine):  # noqa: F811
    lead.programmes_led.add(tng().programme)
    client = signed_in(lead, HTTP_ACCEPT_LANGUAGE="fr")
    listed = page(client, reverse("outcomes:report_list"))
    assert "Aucun rapport demandé pour l'instant." in listed
    assert "puis « Produire le rapport »" in listed

    job = ReportJob.objects.create(
        organisation=lead.organisation,
        requested_by=lead,
        rule_set="esfplus2021",
        operation=tng(),
        date_from=FROM,
        date_to=TO,
        formats=["pdf"],
    )
    url = reverse("outcomes:report_detail", args=[job.pk])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    queued = page(client, url)
    assert "data-poll" in queued and "waiting for its turn" in queued
    assert '<progress max="100" aria-labelledby' in queued  # no value: indefinite
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING, progress=60
    )
    running = page(client, url)
    assert 'value="60"' in running and "<span>60 %</span>" in running
    assert "No report asked for yet" not in page(
        client, reverse("outcomes:report_list")
    )

    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)
    report_generate(job.pk)
    done = page(client, url)
    assert "data-poll" not in done and "<progress" not in done
    assert reverse("outcomes:report_download", args=[job.pk, "pdf"]) in done
