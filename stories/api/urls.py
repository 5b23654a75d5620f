from django.urls import include, path, register_converter
from rest_framework.routers import DefaultRouter

from stories.api import (
    channels,
    clips,
    originals,
    pictures,
    preview_audio,
    review,
    speech,
    taxonomy,
    views,
)
from stories.api.converters import PublicIdConverter, RowIdConverter

# Registered before the included modules below are imported: they use them too.
register_converter(RowIdConverter, "rowid")
register_converter(PublicIdConverter, "publicid")

router = DefaultRouter()
router.register("stories", views.StoryViewSet, basename="story")
router.register("drives", views.DriveViewSet, basename="drive")
router.register("themes", taxonomy.ThemeEditorViewSet, basename="theme")
router.register("collections", review.CollectionViewSet, basename="collection")

story_review = [
    path("approve/", review.ApproveView.as_view(), name="story-approve"),
    path("reject/", review.RejectView.as_view(), name="story-reject"),
    path("reopen/", review.ReopenView.as_view(), name="story-reopen"),
    path("publish/", review.PublishStoryView.as_view(), name="story-publish"),
    path("unpublish/", review.UnpublishView.as_view(), name="story-unpublish"),
    path("preview/", review.PreviewView.as_view(), name="story-preview"),
    path("preview/audio/", preview_audio.PreviewAudioView.as_view(), name="story-preview-audio"),
    path("transcript/", review.TranscriptView.as_view(), name="story-transcript"),
    path(
        "transcript/language/",
        speech.TranscriptLanguageView.as_view(),
        name="story-transcript-language",
    ),
    path("speakers/mute/", speech.SpeakerMuteView.as_view(), name="story-speaker-mute"),
    path("picture/", pictures.PictureView.as_view(), name="story-picture"),
    path("picture/preview/", pictures.PicturePreviewView.as_view(), name="story-picture-preview"),
    path("picture/boxes/", pictures.PictureBoxesView.as_view(), name="story-picture-boxes"),
    path("picture/seen/", pictures.PictureSeenView.as_view(), name="story-picture-seen"),
    path("clips/", clips.StoryClipsView.as_view(), name="story-clips"),
    path("files/<rowid:asset_id>/", originals.PrivateFileView.as_view(), name="story-file"),
    path("redactions/", review.RedactionListView.as_view(), name="story-redactions"),
    path(
        "redactions/<rowid:redaction_id>/",
        review.RedactionDetailView.as_view(),
        name="story-redaction",
    ),
]

urlpatterns = [
    path("review/", review.ReviewQueueView.as_view(), name="review-queue"),
    path("stories/<rowid:pk>/", include(story_review)),
    path("clips/<publicid:public_id>/", clips.ClipDeleteView.as_view(), name="clip"),
    path("consent/", review.ConsentView.as_view(), name="consent"),
    path("receipts/lookup/", views.ReceiptLookupView.as_view(), name="receipt-lookup"),
    # Deprecated (Sunset header): the receipt in the path. Before it, so "lookup" is no receipt.
    path("receipts/<str:receipt>/", views.ReceiptView.as_view(), name="receipt"),
    path("withdrawals/", views.WithdrawalView.as_view(), name="withdrawal"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("channels/telegram/", channels.TelegramWebhookView.as_view(), name="channel-telegram"),
    path("uploads/", include("stories.api.upload_urls")),
    path("", include("stories.api.public_urls")),
    *router.urls,
]
