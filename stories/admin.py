"""The Django admin. Every add, change and delete made here is audited like an API action,
and a story's row is never deleted here: "Withdraw and erase" runs ``consent.withdraw``."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from media_pipeline.themes.taxonomy import Taxonomy, TaxonomyError, examples_from_data
from stories.domain import audit, consent, themes
from stories.enums import AuditAction, StoryStatus
from stories.models import (
    AuditEvent,
    ConsentRecord,
    ConsentText,
    Drive,
    MediaAsset,
    Story,
    Theme,
)


class AuditedAdmin(admin.ModelAdmin):
    """Adds, changes and deletions made in the admin go to the audit trail, with the admin
    user, as the same changes made through the API do. Django's own log stays as well."""

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, obj, "changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self._audit(request, obj, "deleted", [])
        return super().log_deletions(request, queryset)

    def _audit(self, request: HttpRequest, obj: models.Model, what: str, message: Any) -> None:
        # Django's change message names the fields and inlines changed, never their values.
        audit.record(
            AuditAction.ADMIN_CHANGED,
            obj,
            actor=request.user,
            change=what,
            fields=message if isinstance(message, list) else str(message),
        )


class ConsentTextInline(admin.TabularInline):
    model = ConsentText
    extra = 0


@admin.register(Drive)
class DriveAdmin(AuditedAdmin):
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
    """The proof of consent: read only, never added or deleted by hand."""

    model = ConsentRecord
    extra = 0
    readonly_fields = [f.name for f in ConsentRecord._meta.fields]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, on whose request (e.g. the reporter asked by phone on 3 May). "
        "Kept in the audit trail with your name.",
    )


@admin.register(Story)
class StoryAdmin(AuditedAdmin):
    """Stories are never deleted here. Deleting the row would leave the files on disk and the
    public copy served, lose the proof of consent and break the reporter's receipt; the
    "Withdraw and erase" action runs the withdrawal instead (after a confirmation)."""

    list_display = ["__str__", "drive", "kind", "language", "status", "submitted_at"]
    list_filter = ["status", "kind", "drive", "language"]
    search_fields = ["title"]
    # Status changes go through the lifecycle's actions (API), never a bare form field.
    readonly_fields = [
        "removal",
        "status",
        "status_changed_at",
        "receipt_hash",
        "reporter",
        "submitted_at",
    ]
    inlines = [ConsentRecordInline, MediaAssetInline]
    actions = ["withdraw_and_erase"]

    @admin.display(description="Removing this story")
    def removal(self, story: Story) -> str:
        return (
            "A story is never deleted: select it in the story list and run "
            "“Withdraw and erase”. Its content and files go; the consent records, the "
            "audit trail and the receipt's answer (withdrawn) stay."
        )

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # see the class docstring: withdraw_and_erase instead

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A withdrawn story is a tombstone: nothing may be written back into it."""
        if obj is not None and obj.status == StoryStatus.WITHDRAWN:
            return [f.name for f in Story._meta.fields] + ["removal"]
        return super().get_readonly_fields(request, obj)

    @admin.action(description="Withdraw and erase the selected stories…", permissions=["change"])
    def withdraw_and_erase(
        self, request: HttpRequest, queryset: QuerySet[Story]
    ) -> TemplateResponse | None:
        """Ask for a reason, then withdraw each story as its reporter could (idempotent: a
        story withdrawn before has whatever its erasure left removed)."""
        form = WithdrawalForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Withdraw and erase stories",
                "opts": self.model._meta,
                "stories": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/stories/story/withdraw.html", context)
        for story in queryset:
            consent.withdraw(story, actor=request.user, reason=form.cleaned_data["reason"])
        self.message_user(
            request, f"Withdrew and erased {len(queryset)} stories.", messages.SUCCESS
        )
        return None


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "target_type", "target_id", "actor", "actor_label"]
    list_filter = ["action", "target_type"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # append-only: it outlives every erasure


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["labels", "descriptions", "signals", "examples"]

    def clean_examples(self) -> Any:
        examples = self.cleaned_data["examples"]
        try:  # the tagger's own parser says whether it can read them
            examples_from_data(examples)
        except TaxonomyError as error:
            raise forms.ValidationError(f"The tagger cannot read these examples: {error}") from None
        return examples

    def clean_signals(self) -> Any:
        signals = self.cleaned_data["signals"]
        try:  # the tagger's own parser says whether it can read them
            Taxonomy.from_dict({"themes": [{"slug": "check", "signals": signals}]})
        except (TaxonomyError, AttributeError, TypeError, ValueError) as error:
            raise forms.ValidationError(f"The tagger cannot read these signals: {error}") from None
        return signals


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin):
    """Labels, descriptions, signal words and examples; every save records a new taxonomy
    version."""

    form = ThemeForm
    list_display = ["slug", "constellation", "position"]
    readonly_fields = ["slug", "constellation"]
    fields = ["slug", "constellation", "labels", "descriptions", "signals", "examples"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the thirteen themes are the roadmap's

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Theme, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            themes.snapshot_taxonomy(note=f"{obj.slug} edited in the admin", actor=request.user)
