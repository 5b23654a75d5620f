"""Consent given through a facilitator in a workshop: the channel ``facilitator``, which
needs a longer column than the first channels' ten characters."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stories", "0016_public_ids_required")]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="channel",
            field=models.CharField(
                choices=[
                    ("web", "Web form"),
                    ("api", "API"),
                    ("verbal", "Recorded verbally"),
                    ("facilitator", "Read aloud by a facilitator"),
                ],
                max_length=20,
            ),
        ),
    ]
