from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stories", "0024_speech_provenance")]

    operations = [
        migrations.CreateModel(
            name="ThemeRetrainState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("queued_at", models.DateTimeField(blank=True, null=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
