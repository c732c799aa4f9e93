"""Indexes for the archive search (issue 13): every form reads a page of the newest matches through an
index instead of scanning the archive.

* (actor_id, seq), (subject_user_id, seq), (lower(actor_email), seq): the adviser filter, resolved to ids
  and a normalised e-mail first, is a BitmapOr of the three (no ``UPPER(...) LIKE '%…%'``).
* PostgreSQL only: a GIN index on the payload's ``simple`` full-text vector, for "text in the payload".
  The expression must stay identical to ``selectors.PAYLOAD_TSVECTOR`` or the planner will not use it
  (``tests/archive/test_search_plans.py`` fails then). ``left(…, 100000)`` bounds the vector, so that no
  payload can ever exceed tsvector's 1 MB limit and make an append fail.

Nothing here touches a row, the hash formula or the triggers: indexes are not UPDATEs. On an existing large
archive, building them takes a while (minutes for millions of records) and locks out appends meanwhile.
"""

import django.db.models.functions.text
from django.db import migrations, models

PAYLOAD_FTS_INDEX = (
    "CREATE INDEX IF NOT EXISTS archive_payload_fts ON archive_archiverecord "
    "USING gin (to_tsvector('simple'::regconfig, left(payload_json, 100000)))"
)


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PAYLOAD_FTS_INDEX)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS archive_payload_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="archiverecord",
            index=models.Index(fields=["actor_id", "seq"], name="archive_actor_seq"),
        ),
        migrations.AddIndex(
            model_name="archiverecord",
            index=models.Index(fields=["subject_user_id", "seq"], name="archive_subject_user_seq"),
        ),
        migrations.AddIndex(
            model_name="archiverecord",
            index=models.Index(
                django.db.models.functions.text.Lower("actor_email"),
                models.F("seq"),
                name="archive_actor_email_lower_seq",
            ),
        ),
        migrations.RunPython(create_fts, drop_fts, elidable=False),
    ]
