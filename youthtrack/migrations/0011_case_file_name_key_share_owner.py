"""The case file keeps a copy of its young person's normalised name, and a sharing the
organisation that owns the file (issue 9).

- ``CaseFile.name_key``: the case list sorts by name on ``(owner_organisation,
  name_key, -id)`` and, on PostgreSQL, searches by name on a trigram GIN index that
  leads with the organisation (``btree_gin``), so that a search reads the matches of
  the user's organisation only, not every match of the table before keeping theirs.
- ``Share.owner_organisation``: "shared by us" reads the organisation's live
  sharings newest first from an index, instead of joining every case file of
  the organisation with every sharing.

Both are filled from the rows they copy."""

import django.db.models.deletion
from django.db import migrations, models

TRIGRAM_INDEX = "casefile_org_name_trgm"


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE youthtrack_casefile c SET name_key = y.name_key "
            "FROM youthtrack_youngperson y "
            "WHERE y.id = c.young_person_id AND c.name_key IS DISTINCT FROM y.name_key"
        )
        schema_editor.execute(
            "UPDATE youthtrack_share s SET owner_organisation_id = "
            "c.owner_organisation_id FROM youthtrack_casefile c "
            "WHERE c.id = s.case_file_id"
        )
        return
    schema_editor.execute(
        "UPDATE youthtrack_casefile SET name_key = (SELECT y.name_key FROM "
        "youthtrack_youngperson y WHERE y.id = youthtrack_casefile.young_person_id)"
    )
    schema_editor.execute(
        "UPDATE youthtrack_share SET owner_organisation_id = (SELECT "
        "c.owner_organisation_id FROM youthtrack_casefile c "
        "WHERE c.id = youthtrack_share.case_file_id)"
    )


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON youthtrack_casefile "
        "USING gin (owner_organisation_id, name_key gin_trgm_ops)"
    )
    # The planner's statistics for the new columns (autovacuum would get there later;
    # until then it guesses, and guessed an organisation shares 12 files, not 1,200).
    schema_editor.execute("ANALYZE youthtrack_casefile")
    schema_editor.execute("ANALYZE youthtrack_share")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extensions stay: other schemas or indexes may use them.
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    # The backfill of a million case files is not held in one transaction with the
    # index builds that follow it (an index built after an update in the same
    # transaction cannot be used until that transaction is old news).
    atomic = False

    dependencies = [
        ("youthtrack", "0010_scrub_audit_personal_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="casefile",
            name="name_key",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=210
            ),
        ),
        migrations.AddField(
            model_name="share",
            name="owner_organisation",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sent_shares",
                to="youthtrack.organisation",
                verbose_name="shared by organisation",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="share",
            name="owner_organisation",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sent_shares",
                to="youthtrack.organisation",
                verbose_name="shared by organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="casefile",
            index=models.Index(
                fields=["owner_organisation", "name_key", "-id"],
                name="casefile_org_name",
            ),
        ),
        migrations.AddIndex(
            model_name="share",
            index=models.Index(
                fields=["owner_organisation", "-created_at", "-id"],
                name="share_owner_created",
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
