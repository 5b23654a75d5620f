from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from media_pipeline.themes.taxonomy import Taxonomy, TaxonomyError
from stories.domain import themes
from stories.models import (
    AuditEvent,
    ConsentRecord,
    ConsentText,
    Drive,
    MediaAsset,
    Story,
    Theme,
)


class ConsentTextInline(admin.TabularInline):
    model = ConsentText
    extra = 0


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_open", "allow_light_touch", "created_at"]
    list_filter = ["is_open", "allow_light_touch", "blur_all_text"]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ConsentTextInline]


class MediaAssetInline(admin.TabularInline):
    model = MediaAsset
    extra = 0
    fields = ("role", "variant", "mime_type", "size", "duration", "width", "height")
    readonly_fields = fields
    can_delete = False


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = [f.name for f in ConsentRecord._meta.fields]
    can_delete = False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "drive", "kind", "language", "status", "submitted_at"]
    list_filter = ["status", "kind", "drive", "language"]
    search_fields = ["title"]
    # Status changes go through the lifecycle (API), never a bare form field.
    readonly_fields = ["status", "status_changed_at", "receipt_hash", "reporter", "submitted_at"]
    inlines = [ConsentRecordInline, MediaAssetInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "target_type", "target_id", "actor", "actor_label"]
    list_filter = ["action", "target_type"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["labels", "descriptions", "signals"]

    def clean_signals(self) -> Any:
        signals = self.cleaned_data["signals"]
        try:  # the tagger's own parser says whether it can read them
            Taxonomy.from_dict({"themes": [{"slug": "check", "signals": signals}]})
        except (TaxonomyError, AttributeError, TypeError, ValueError) as error:
            raise forms.ValidationError(f"The tagger cannot read these signals: {error}") from None
        return signals


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """Labels, descriptions and signal words; every save records a new taxonomy version."""

    form = ThemeForm
    list_display = ["slug", "constellation", "position"]
    readonly_fields = ["slug", "constellation"]
    fields = ["slug", "constellation", "labels", "descriptions", "signals"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the thirteen themes are the roadmap's

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Theme, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            themes.snapshot_taxonomy(note=f"{obj.slug} edited in the admin", actor=request.user)
