"""0008 rewrote every follow-up: on PostgreSQL, vacuum them (outside a transaction) so
that the dashboard's counts read ``followup_open_by_advisor`` alone (index-only)
instead of visiting the rows' pages, while autovacuum is off or late."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE outcomes_followup")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("outcomes", "0008_follow_up_advisor"),
    ]

    operations = [
        migrations.RunPython(
            vacuum, migrations.RunPython.noop, atomic=False, elidable=True
        ),
    ]
