"""Themes get examples (short vignettes per language) for suggestions by meaning.

Existing themes are filled from the shipped taxonomy, and when a taxonomy version is
already recorded without them, a new version with the examples is recorded after it, so the tagger in
force reads them without waiting for a curator's edit.
"""

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from media_pipeline.themes.taxonomy import load_default


def fill_examples(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    theme_model = apps.get_model("stories", "Theme")
    version_model = apps.get_model("stories", "TaxonomyVersion")
    shipped = {theme.slug: theme.to_dict()["examples"] for theme in load_default().themes}
    for theme in theme_model.objects.all():
        if not theme.examples and theme.slug in shipped:
            theme.examples = shipped[theme.slug]
            theme.save(update_fields=["examples"])
    previous = version_model.objects.order_by("-version").first()
    if previous is None:
        return  # a fresh install stores the shipped taxonomy, examples included, on first use
    data: dict[str, Any] = dict(previous.data)
    examples = dict(theme_model.objects.values_list("slug", "examples"))
    if all(t.get("examples", {}) == examples.get(t["slug"], {}) for t in data["themes"]):
        return  # recorded from the shipped file with its examples already (a fresh install)
    data["themes"] = [{**t, "examples": examples.get(t["slug"], {})} for t in data["themes"]]
    data["version"] = previous.version + 1
    version_model.objects.create(
        version=data["version"], data=data, note="theme examples added (migration 0026)"
    )


class Migration(migrations.Migration):
    dependencies = [("stories", "0025_learning")]

    operations = [
        migrations.AddField(
            model_name="theme",
            name="examples",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(fill_examples, migrations.RunPython.noop),
    ]
