"""Nothing with history is hard-deleted from the admin, and what may be deleted there
(reference data without history) is deleted with a row in the audit trail.

Every admin registered on the site is checked, so that a model registered later is
classified too: a model not listed as reference data may not be deleted."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.youthtrack.conftest import sign_in
from youthtrack.admin_history import AuditedDeleteAdmin
from youthtrack.models import AuditEvent, Gender

# Records that are history, or that history points at: never deleted in the admin.
MODELS_WITH_HISTORY = {
    "youthtrack.youngperson",
    "youthtrack.casefile",
    "youthtrack.casestatuschange",
    "youthtrack.consent",
    "youthtrack.share",
    "youthtrack.note",
    "youthtrack.auditevent",
    "youthtrack.accountchangerequest",
    "youthtrack.user",
    "youthtrack.organisation",
    "youthtrack.programme",
    "youthtrack.operation",
    "programmes.cohort",
    "programmes.session",
    "programmes.programmephase",
    "programmes.enrolment",
    "programmes.attendance",
    "programmes.walkin",
    "axes.accesslog",
    "axes.accessfailurelog",
}
# Deletable, with an audit row: reference data without history, a failed login
# (deleting it unlocks the account) and an authenticator (a two-factor reset,
# audited and told to its owner by services/accounts.py).
DELETABLE = {
    "youthtrack.gender",
    "youthtrack.contactchannel",
    "youthtrack.commune",
    "youthtrack.iscedlevel",
    "youthtrack.diploma",
    "youthtrack.funder",
    "programmes.activitytype",
    "axes.accessattempt",
    "otp_totp.totpdevice",
}
AUDITED_ELSEWHERE = {"otp_totp.totpdevice"}  # TwoFactorDeviceAdmin


@pytest.fixture
def superuser_request(administrator):
    request = RequestFactory().get("/admin/")
    request.user = administrator
    return request


def registered():
    return [
        pytest.param(model_admin, id=model._meta.label_lower)
        for model, model_admin in admin.site._registry.items()
    ]


@pytest.mark.parametrize("model_admin", registered())
def test_no_admin_deletes_what_has_history(model_admin, superuser_request):
    label = model_admin.model._meta.label_lower
    may_delete = model_admin.has_delete_permission(superuser_request)
    if label in DELETABLE:
        assert label in AUDITED_ELSEWHERE or isinstance(model_admin, AuditedDeleteAdmin)
    else:
        assert label in MODELS_WITH_HISTORY, f"{label}: history or reference data?"
        assert may_delete is False
        assert "delete_selected" not in model_admin.get_actions(superuser_request)
    for inline_class in model_admin.inlines:
        inline = inline_class(model_admin.model, admin.site)
        if inline.model._meta.label_lower not in DELETABLE:
            assert inline.has_delete_permission(superuser_request) is False


def test_the_delete_page_of_a_record_with_history_is_refused(client, administrator):
    sign_in(client, administrator)
    url = reverse(
        "admin:youthtrack_organisation_delete", args=[administrator.organisation_id]
    )
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert administrator.organisation.__class__.objects.filter(
        pk=administrator.organisation_id
    ).exists()


def test_deleting_reference_data_writes_an_audit_row(client, administrator):
    unused = Gender.objects.create(
        code="zz-test", name_fr="Test", name_nl="Test", name_en="Test"
    )
    sign_in(client, administrator)
    url = reverse("admin:youthtrack_gender_delete", args=[unused.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Gender.objects.filter(pk=unused.pk).exists()
    event = AuditEvent.objects.get(
        object_type="youthtrack.gender", action=AuditEvent.Action.DELETE
    )
    assert event.actor == administrator
    assert event.changes["record"][0].startswith("zz-test")


def test_deleting_from_the_list_writes_an_audit_row_per_record(client, administrator):
    unused = [
        Gender.objects.create(code=f"zz-{n}", name_fr="T", name_nl="T", name_en="T")
        for n in range(2)
    ]
    sign_in(client, administrator)
    response = client.post(
        reverse("admin:youthtrack_gender_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [g.pk for g in unused],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(
        object_type="youthtrack.gender", action=AuditEvent.Action.DELETE
    )
    assert sorted(e.changes["record"][0][:4] for e in deleted) == ["zz-0", "zz-1"]


def test_a_two_factor_reset_from_the_list_is_audited(client, administrator, advisor):
    device = TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    sign_in(client, administrator)
    client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="youthtrack.user",
        object_id=advisor.pk,
        changes={"two_factor": [True, False]},
    ).exists()


def test_the_audit_admin_shows_the_file_number_never_the_name(
    client, administrator, case_file
):
    AuditEvent.objects.create(
        actor=None,
        action=AuditEvent.Action.VIEW,
        object_type="youthtrack.casefile",
        object_id=case_file.pk,
        case_file=case_file,
        changes={"first_name": ["Mélodie", "Mélodie"]},
    )
    sign_in(client, administrator)
    event = AuditEvent.objects.filter(case_file=case_file).latest("pk")
    pages = [
        client.get(reverse("admin:youthtrack_auditevent_changelist")),
        client.get(reverse("admin:youthtrack_auditevent_change", args=[event.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert "Vandersmissen" not in text and "Mélodie" not in text
    assert f"#{case_file.pk}" in pages[0].content.decode()
    assert f"#{case_file.pk}" in pages[1].content.decode()
    assert not pages[1].context["has_change_permission"]
    assert str(event) and "Vandersmissen" not in str(event)
