from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stories", "0023_story_embeddings")]

    operations = [
        migrations.AlterField(
            model_name="transcript",
            name="model",
            field=models.CharField(help_text="Name of the Whisper weights used.", max_length=64),
        ),
        migrations.AddField(
            model_name="transcript",
            name="weights_sha256",
            field=models.CharField(
                blank=True, help_text="SHA-256 of the Whisper weights file used.", max_length=64
            ),
        ),
        migrations.AddField(
            model_name="transcript",
            name="language_decision",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="transcript",
            name="speaker_turns",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
