"""Findings of the second probe: a stale cohort edit after its partners or advisors
changed gave a server error (a many-to-many change could not be shown), and a
partner withdrawing its own participant was told how many hidden people moved in."""

import datetime

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import Enrolment
from tests.factories.programmes import EnrolmentFactory
from tests.programmes.conftest import org, sign_in
from youthtrack.selectors import changes_since


def test_a_stale_cohort_edit_after_a_partner_change_says_what_changed(cohort, lead):
    services.cohort_update(
        cohort=cohort,
        acting_user=lead,
        data={"partners": [org("actiris"), org("fwb")]},
        expected_version=1,
    )
    changes = changes_since(obj=cohort, version=1)
    partners = [change for change in changes if change.name == "partners"]
    assert len(partners) == 1
    assert str(org("fwb")) in partners[0].after
    assert str(org("actiris")) in partners[0].after


def test_the_second_lead_gets_the_stale_page_not_a_server_error(client, cohort, lead):
    services.cohort_update(
        cohort=cohort,
        acting_user=lead,
        data={"partners": [org("fwb")]},
        expected_version=1,
    )
    sign_in(client, lead)
    page = client.get(reverse("programmes:cohort_edit", args=[cohort.pk]))
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        name="Renamed",
        version="1",
        start_date=cohort.start_date.isoformat(),
        end_date=cohort.end_date.isoformat(),
        capacity=cohort.capacity,
    )
    response = client.post(reverse("programmes:cohort_edit", args=[cohort.pk]), data)
    assert response.status_code == 200
    cohort.refresh_from_db()
    assert cohort.name != "Renamed"


def test_a_partner_withdrawing_its_participant_learns_no_hidden_count(
    client, cohort, actiris_advisor, actiris_case
):
    full = cohort.capacity
    for _ in range(full - 1):
        EnrolmentFactory(cohort=cohort, status=Enrolment.Status.ENROLLED)
    own = EnrolmentFactory(
        cohort=cohort, case_file=actiris_case, status=Enrolment.Status.ENROLLED
    )
    EnrolmentFactory(
        cohort=cohort,
        status=Enrolment.Status.WAITING,
        requested_at=timezone.now() - datetime.timedelta(hours=1),
    )
    sign_in(client, actiris_advisor)
    response = client.post(
        reverse("programmes:enrolment_withdraw", args=[own.pk]),
        {
            "withdrawn_on": timezone.localdate().isoformat(),
            "reason": Enrolment.WithdrawalReason.JOB,
            "comment": "",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("withdrew" in text for text in texts)
    assert not any("waiting list" in text for text in texts), texts
    assert cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count() == full
