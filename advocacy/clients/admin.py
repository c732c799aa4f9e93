"""Clients in the admin: read-only. Personal data changes only through the services (consent, erasure),
which archive what they do; the admin is for looking, not for editing around them."""

from django.contrib import admin

from advocacy.clients.models import Client, Consent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(ReadOnly):
    list_display = ["client_ref", "last_name", "first_name", "adviser", "branch", "handle_status"]
    list_filter = ["handle_status", "branch"]
    list_select_related = ["adviser", "branch"]
    search_fields = ["client_ref", "last_name"]


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ["client", "given", "method", "wording_version", "consent_date", "withdrawn_at"]
    list_select_related = ["client"]
