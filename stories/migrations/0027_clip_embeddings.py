import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0026_theme_examples"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClipEmbedding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "model",
                    models.CharField(help_text="The encoder that made the vector.", max_length=60),
                ),
                ("vector", models.BinaryField()),
                ("text_hash", models.CharField(max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
                (
                    "clip",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="embedding",
                        to="stories.clip",
                    ),
                ),
            ],
        ),
    ]
