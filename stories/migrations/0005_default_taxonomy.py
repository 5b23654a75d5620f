"""Load the taxonomy shipped with the tagger as version 1 (later edits add versions)."""

import json
from pathlib import Path

from django.db import migrations

TAXONOMY_FILE = Path(__file__).resolve().parents[2] / "media_pipeline" / "themes" / "taxonomy.json"


def load_default_taxonomy(apps, schema_editor):
    TaxonomyVersion = apps.get_model("stories", "TaxonomyVersion")
    Theme = apps.get_model("stories", "Theme")
    if TaxonomyVersion.objects.exists():
        return
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    for position, theme in enumerate(data["themes"]):
        Theme.objects.create(
            slug=theme["slug"],
            constellation=theme["constellation"],
            position=position,
            labels=theme["labels"],
            descriptions=theme["descriptions"],
            signals=theme["signals"],
        )
    TaxonomyVersion.objects.create(version=data.get("version", 1), data=data, note="shipped")


class Migration(migrations.Migration):
    dependencies = [("stories", "0004_themes")]

    operations = [migrations.RunPython(load_default_taxonomy, migrations.RunPython.noop)]
