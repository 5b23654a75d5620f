"""Search the same way on both databases: lemmas in the index, one query parser.

SQLite gets an FTS5 table of each publication's lemmas (title, text) and a trigger that
drops a publication's row from it when the publication is deleted (unpublished, withdrawn
or its story deleted), so a withdrawn story cannot be found even for a moment. PostgreSQL
keeps ``search_vector`` and its GIN index, now written from the same lemmas, and keeps
statistics on ten times more of its words: with the default, a word missing from them was
guessed to match 0.5 % of the stories, so the planner walked the newest-first index
through all 100,000 stories for a rare word (0.94 s) instead of asking the GIN index
(0.1 ms). Every existing publication is indexed again.
"""

from django.db import migrations

FTS = "stories_search_index"


def create_sqlite_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
        "title, text, tokenize = 'unicode61 remove_diacritics 0')"
    )
    schema_editor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_forget AFTER DELETE ON stories_publishedstory "
        f"BEGIN DELETE FROM {FTS} WHERE rowid = old.id; END"
    )


def more_postgres_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE stories_publishedstory ALTER COLUMN search_vector SET STATISTICS 1000"
    )


def default_postgres_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE stories_publishedstory ALTER COLUMN search_vector SET STATISTICS -1"
    )


def drop_sqlite_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_forget")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


def reindex(apps, schema_editor):
    from stories.domain import search

    PublishedStory = apps.get_model("stories", "PublishedStory")
    alias = schema_editor.connection.alias
    rows = PublishedStory.objects.using(alias).values_list("id", "title", "text", "language")
    search.write_index(rows.iterator(chunk_size=2000), alias)


class Migration(migrations.Migration):
    dependencies = [("stories", "0021_translations")]

    operations = [
        migrations.RunPython(create_sqlite_index, drop_sqlite_index),
        migrations.RunPython(more_postgres_statistics, default_postgres_statistics),
        migrations.RunPython(reindex, migrations.RunPython.noop),
    ]
