"""Random public ids for stories (and their public copies): public URLs, feeds and exports
stop naming stories by their row id, which counted them and dated withdrawals."""

import secrets

from django.db import migrations, models
LETTERS = "abcdefghjkmnpqrstuvwxyz"
ALPHABET = "23456789" + LETTERS


def _new_id() -> str:
    """As ``stories.models.story.new_public_id`` did when this was written."""
    return secrets.choice(LETTERS) + "".join(secrets.choice(ALPHABET) for _ in range(15))


def fill(apps, schema_editor):
    """Give every story a public id, and every public copy its story's."""
    Story = apps.get_model("stories", "Story")
    PublishedStory = apps.get_model("stories", "PublishedStory")
    batch = []
    for story in Story.objects.only("pk").iterator(chunk_size=1000):
        story.public_id = _new_id()
        batch.append(story)
        if len(batch) == 1000:
            Story.objects.bulk_update(batch, ["public_id"])
            batch = []
    Story.objects.bulk_update(batch, ["public_id"])
    copies = list(PublishedStory.objects.select_related("story").only("pk", "story__public_id"))
    for copy in copies:
        copy.public_id = copy.story.public_id
    PublishedStory.objects.bulk_update(copies, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("stories", "0014_upload_parts")]

    operations = [
        migrations.AddField(
            model_name="story",
            name="public_id",
            field=models.CharField(max_length=16, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="publishedstory",
            name="public_id",
            field=models.CharField(max_length=16, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
