"""0014 rewrote every case file: on PostgreSQL, vacuum them (outside a transaction) so
that ``casefile_open_by_keep_consent`` no longer leads to the rows' old versions (all
without a consent: 40,000 dead rows read for advisor.busy's files without consent)
while autovacuum is off or late, and update the planner's statistics."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE youthtrack_casefile")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("youthtrack", "0014_case_file_keep_consent_until"),
    ]

    operations = [
        migrations.RunPython(
            vacuum, migrations.RunPython.noop, atomic=False, elidable=True
        ),
    ]
