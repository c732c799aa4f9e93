"""The archive in Django's admin: read-only for everyone, administrators included (they run the
organisation; they must never be able to alter the archive). Legal holds and exports are managed by compliance
officers in the portal, where each change is archived."""

from django.contrib import admin

from compliance.archive.models import (
    ArchiveCheckpoint,
    ArchiveExport,
    ArchivePurgedRange,
    ArchiveRecord,
    ArchiveVerification,
    LegalHold,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False  # no COUNT(*) over millions of records on every page

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArchiveRecord)
class ArchiveRecordAdmin(ReadOnlyAdmin):
    list_display = ["seq", "recorded_at", "event_type", "actor_email", "subject_ref", "network_post_id"]
    list_filter = ["event_type"]
    search_fields = ["=seq", "=actor_email", "=subject_ref", "=network_post_id"]
    date_hierarchy = "recorded_at"


@admin.register(ArchiveCheckpoint)
class ArchiveCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash", "created_at", "kind"]


@admin.register(ArchivePurgedRange)
class ArchivePurgedRangeAdmin(ReadOnlyAdmin):
    list_display = ["first_seq", "last_seq", "record_count", "purged_at"]


@admin.register(ArchiveVerification)
class ArchiveVerificationAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "ok", "records_checked", "first_bad_seq", "problem", "trigger"]


@admin.register(ArchiveExport)
class ArchiveExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by_email", "date_from", "date_to", "adviser_email", "status"]


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user_email", "subject_ref", "created_by_email", "released_at"]
