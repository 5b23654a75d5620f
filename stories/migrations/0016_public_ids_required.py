"""Public ids are required and unique, once 0013 has filled them (a migration of its own:
PostgreSQL will not alter a table in the transaction that just updated its rows)."""

from django.db import migrations, models

import stories.models.story


class Migration(migrations.Migration):
    dependencies = [("stories", "0015_public_ids")]

    operations = [
        migrations.AlterField(
            model_name="story",
            name="public_id",
            field=models.CharField(
                default=stories.models.story.new_public_id,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="publishedstory",
            name="public_id",
            field=models.CharField(max_length=16, unique=True),
        ),
    ]
