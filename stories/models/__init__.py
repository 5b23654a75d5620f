"""Thin models: fields, constraints and small properties. Behaviour lives in ``stories.domain``."""

from stories.models.audit import AuditEvent
from stories.models.channel import ChannelConversation, ChannelDelivery
from stories.models.clip import Clip
from stories.models.consent import ConsentRecord
from stories.models.drive import ConsentText, Drive
from stories.models.embedding import ClipEmbedding, StoryEmbedding
from stories.models.publication import Collection, CollectionStory, PublishedStory
from stories.models.review import Redaction, ReleaseCheck, TranscriptRevision
from stories.models.storage import MediaCheckRun, StoredFileIntent
from stories.models.story import MediaAsset, Story
from stories.models.themes import (
    StoryTheme,
    TaxonomyVersion,
    Theme,
    ThemeModelSnapshot,
    ThemeRetrainState,
)
from stories.models.transcript import Transcript, Translation
from stories.models.upload import Upload

__all__ = [
    "AuditEvent",
    "ChannelConversation",
    "ChannelDelivery",
    "Clip",
    "ClipEmbedding",
    "Collection",
    "CollectionStory",
    "ConsentRecord",
    "ConsentText",
    "Drive",
    "MediaAsset",
    "MediaCheckRun",
    "PublishedStory",
    "Redaction",
    "ReleaseCheck",
    "StoredFileIntent",
    "Story",
    "StoryEmbedding",
    "StoryTheme",
    "TaxonomyVersion",
    "Theme",
    "ThemeModelSnapshot",
    "ThemeRetrainState",
    "Transcript",
    "TranscriptRevision",
    "Translation",
    "Upload",
]
