from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0027_clip_embeddings"),
    ]

    operations = [
        migrations.AddField(
            model_name="channelconversation",
            name="media_group",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
