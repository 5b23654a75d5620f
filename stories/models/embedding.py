from __future__ import annotations

from django.db import models

from stories.models.clip import Clip
from stories.models.publication import PublishedStory


class MeaningVector(models.Model):
    """A vector of public text and how it was made (fields shared by stories and clips)."""

    model = models.CharField(max_length=60, help_text="The encoder that made the vector.")
    # Float32, little-endian (media_pipeline.meaning.to_bytes).
    vector = models.BinaryField()
    # SHA-256 of the text embedded: a rebuild with the same words needs no new vector.
    text_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class StoryEmbedding(MeaningVector):
    """The meaning of a published story as a vector, from its anonymised public text only.

    It belongs to the public copy and goes with it: a withdrawn or unpublished story
    leaves no vector behind. Where PostgreSQL has pgvector the same vectors could live in
    a vector column; here they are bytes that each web process loads into its own index.
    """

    publication = models.OneToOneField(
        PublishedStory, on_delete=models.CASCADE, related_name="embedding"
    )
    # The public copies closest in meaning, nearest first, as [publication id, similarity]
    # pairs: found when the story is embedded (and it goes into theirs), so a story page
    # reads its related stories instead of searching every vector. Null until found.
    related = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"embedding of {self.publication_id}"


class ClipEmbedding(MeaningVector):
    """The meaning of a public clip as a vector, from the clip's own public words only (its
    title and its anonymised quote).

    It goes when the clip leaves the public: a curator removes it, or its story is
    withdrawn, unpublished or rebuilt with other audio (``stories.domain.clips``).
    """

    clip = models.OneToOneField(Clip, on_delete=models.CASCADE, related_name="embedding")

    def __str__(self) -> str:
        return f"embedding of clip {self.clip_id}"
