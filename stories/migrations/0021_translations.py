"""The published transcript's timings and translation, and the private machine translation
that curators correct (issue 19)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0020_facilitator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedstory",
            name="segments",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="publishedstory",
            name="translation",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.CreateModel(
            name="Translation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(default="en", max_length=8)),
                ("engine", models.CharField(max_length=32)),
                ("model", models.CharField(max_length=64)),
                ("text", models.TextField(blank=True)),
                ("segments", models.JSONField(default=list)),
                ("corrected_text", models.TextField(blank=True)),
                ("corrected_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "corrected_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "transcript",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="translations",
                        to="stories.transcript",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("transcript", "language"), name="translation_one_per_language"
                    )
                ],
            },
        ),
    ]
