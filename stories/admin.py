from django.contrib import admin
from django.http import HttpRequest

from stories.models import AuditEvent, ConsentRecord, ConsentText, Drive, MediaAsset, Story


class ConsentTextInline(admin.TabularInline):
    model = ConsentText
    extra = 0


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_open", "allow_light_touch", "created_at"]
    list_filter = ["is_open", "allow_light_touch"]
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
