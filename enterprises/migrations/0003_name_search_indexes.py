"""Chinese name search on PostgreSQL.

pg_trgm serves fragments of three or more characters; a two-character fragment (the most common
Chinese search, e.g. 重工) yields no trigram, so a stored generated column holds the name's
distinct character bigrams with its own GIN index (see DESIGN.md, facts measured). The database
must have a UTF-8 LC_CTYPE for pg_trgm to see Chinese characters. SQLite (the embedded
development default) does without both and scans.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION tsprotect_bigrams(value text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(lower(value), i, 2)), '{}'::text[])
        FROM generate_series(1, char_length(value) - 1) AS i
    $$
    """,
    """
    ALTER TABLE enterprises_enterprise ADD COLUMN name_bigrams text[]
        GENERATED ALWAYS AS (tsprotect_bigrams(name)) STORED
    """,
    "CREATE INDEX enterprise_name_bigrams ON enterprises_enterprise USING gin (name_bigrams)",
    "CREATE INDEX enterprise_name_trgm ON enterprises_enterprise "
    "USING gin (upper(name) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS enterprise_name_trgm",
    "DROP INDEX IF EXISTS enterprise_name_bigrams",
    "ALTER TABLE enterprises_enterprise DROP COLUMN IF EXISTS name_bigrams",
    "DROP FUNCTION IF EXISTS tsprotect_bigrams(text)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_directory")]
    operations = [migrations.RunPython(forward, backward)]
