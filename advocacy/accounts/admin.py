"""Roster imports are read-only in the admin: they are created by upload and changed only by the worker, and
kept (the file is what an auditor asks for). Sign-in addresses are read-only too: an address added or
changed here would receive the person's password resets (advocacy/org/identity.py is the only way). So are
social accounts, tokens and apps: linking one's own corporate identity to someone else's user, or adding an
identity provider, would sign one in as anybody (apps come from settings, README "Corporate SSO")."""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.socialaccount.admin import SocialAccountAdmin, SocialAppAdmin, SocialTokenAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from advocacy.accounts.invitations import send_invitation
from advocacy.accounts.models import RosterImport
from advocacy.org.admin import ReadOnlyAdmin, ReadOnlyInline
from advocacy.org.models import ManagedRegion, StaffProfile, StaffRole
from advocacy.org.policies import NotAllowed
from advocacy.org.services import set_active


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


class StaffRoleInline(ReadOnlyInline):
    model = StaffRole


class ManagedRegionInline(ReadOnlyInline):
    model = ManagedRegion


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadOnlyAdmin):
    list_display = ["employee_id", "user", "branch", "language", "is_active"]
    list_filter = ["branch__region", "branch", "roles__role", "user__is_active"]
    search_fields = ["employee_id", "user__email", "user__last_name"]
    list_select_related = ["user", "branch"]
    inlines = [StaffRoleInline, ManagedRegionInline]
    actions = ["invite", "deactivate", "reactivate"]

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj):
        return obj.user.is_active

    @admin.action(description=_("Send an invitation e-mail"))
    def invite(self, request, queryset):
        sent = 0
        for profile in queryset.select_related("user"):
            try:
                send_invitation(user=profile.user, actor=request.user)
            except NotAllowed as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                sent += 1
        self.message_user(request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent)

    @admin.action(description=_("Deactivate (cannot sign in, sessions end)"))
    def deactivate(self, request, queryset):
        done = self._set_active(request, queryset, active=False)
        self.message_user(
            request,
            ngettext("%d person deactivated.", "%d people deactivated.", done) % done,
            messages.WARNING,
        )

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset):
        done = self._set_active(request, queryset, active=True)
        self.message_user(request, ngettext("%d person reactivated.", "%d people reactivated.", done) % done)

    def _set_active(self, request, queryset, *, active: bool) -> int:
        done = 0
        for profile in queryset.select_related("user"):
            try:
                done += set_active(profile=profile, active=active, actor=request.user)
            except NotAllowed as exc:
                self.message_user(request, f"{profile}: {exc.message}", messages.ERROR)
        return done
