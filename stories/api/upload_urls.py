"""Resumable (tus 1.0.0) uploads, mounted at /api/v1/uploads/."""

from django.urls import path

from stories.api import uploads

urlpatterns = [
    path("", uploads.UploadCollectionView.as_view(), name="upload-list"),
    path("<uuid:upload_id>/", uploads.UploadDetailView.as_view(), name="upload-detail"),
]
