"""The audit trail no longer keeps the values of personal fields (names, birth dates,
contact details, sensitive answers, typed texts): the rows written before keep which
field changed, who changed it and when, and lose the values.

The personal fields are listed as they were when this migration was written (a
migration must not follow the models as they change later). A row becomes
``{"field": {"changed": true}}`` for each personal field; a deleted record's name
("record") goes too when the record held personal data."""

from django.db import migrations, models

PERSONAL_FIELDS = {
    "youthtrack.user": {"email", "first_name", "last_name", "username"},
    "youthtrack.youngperson": {
        "birth_date",
        "citizenship",
        "commune",
        "email",
        "first_name",
        "gender",
        "last_name",
        "name_key",
        "other_languages",
        "phone",
    },
    "youthtrack.casefile": {
        "disability",
        "foreign_background",
        "homeless",
        "minority",
        "referred_by",
    },
    "youthtrack.casestatuschange": {"comment"},
    "youthtrack.consent": {"guardian_name", "scope"},
    "youthtrack.share": {"decline_reason", "override_reason", "purpose"},
    "youthtrack.note": {"text", "topic"},
    "programmes.enrolment": {"withdrawal_comment"},
    "programmes.walkin": {"commune", "first_name", "gender"},
    "outcomes.importreference": {"ref"},
    "outcomes.importrun": {"content", "file_name"},
    "outcomes.goal": {"review_note", "text"},
    "outcomes.outcome": {
        "evidence_file",
        "evidence_name",
        "organisation_name",
        "verification_note",
    },
    "outcomes.followup": {"comment"},
}

BATCH = 2000


def scrubbed(object_type: str, changes):
    if not isinstance(changes, dict):
        return changes
    personal = PERSONAL_FIELDS[object_type] | {"record"}
    result = {}
    for name, value in changes.items():
        if name in personal and not (
            isinstance(value, dict) and value.get("changed") is True
        ):
            result[name] = {"changed": True}
        else:
            result[name] = value
    return result


def scrub(apps, schema_editor):
    AuditEvent = apps.get_model("youthtrack", "AuditEvent")
    # The trail's own manager refuses updates; this is the one rewrite it gets, of
    # values only (never who, what, when).
    rows = models.QuerySet(model=AuditEvent)
    pending = []
    for event in (
        rows.filter(object_type__in=list(PERSONAL_FIELDS))
        .exclude(changes={})
        .only("pk", "object_type", "changes")
        .iterator(chunk_size=BATCH)
    ):
        kept = scrubbed(event.object_type, event.changes)
        if kept != event.changes:
            event.changes = kept
            pending.append(event)
        if len(pending) >= BATCH:
            rows.bulk_update(pending, ["changes"])
            pending = []
    if pending:
        rows.bulk_update(pending, ["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("youthtrack", "0009_erasure_retention"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
