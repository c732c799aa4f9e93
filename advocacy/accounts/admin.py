"""Roster imports are read-only in the admin: they are created by upload and changed only by the worker, and
kept (the file is what an auditor asks for). Sign-in addresses are read-only too: an address added or
changed here would receive the person's password resets (advocacy/org/identity.py is the only way). So are
social accounts, tokens and apps: linking one's own corporate identity to someone else's user, or adding an
identity provider, would sign one in as anybody (apps come from settings, README "Corporate SSO")."""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.socialaccount.admin import SocialAccountAdmin, SocialAppAdmin, SocialTokenAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin

from advocacy.accounts.models import RosterImport


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = [
        "original_filename",
        "uploaded_by",
        "created_at",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "deactivated_count",
        "error_count",
    ]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "created_at"
    exclude = ["content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly:
    actions = []

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model, model_admin in (
    (EmailAddress, EmailAddressAdmin),
    (SocialAccount, SocialAccountAdmin),
    (SocialToken, SocialTokenAdmin),
    (SocialApp, SocialAppAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{model_admin.__name__}", (_ReadOnly, model_admin), {}))
