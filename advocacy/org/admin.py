"""Django's admin, for superusers (administrators): a read-only view of the organisation.

Everything that changes staff or branches goes through the services that archive it, on the portal's
Organisation pages (``advocacy.org.views``): roles with four eyes on privilege, address changes confirmed by
an administrator, branch edits with the slot rule for cities. So the admin shows, and offers only actions
that call those services (invite, deactivate, reactivate); nothing can be deleted here, and Django's own
user and group pages cannot set ``is_superuser``, ``is_staff``, addresses or permissions by hand.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from advocacy.accounts.invitations import send_invitation
from advocacy.org.models import (
    Bank,
    Branch,
    EmailChangeRequest,
    ManagedRegion,
    Region,
    RoleGrantRequest,
    StaffProfile,
    StaffRole,
)
from advocacy.org.policies import NotAllowed
from advocacy.org.services import set_active


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bank)
class BankAdmin(ReadOnlyAdmin):
    search_fields = ["name"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "bank"]
    search_fields = ["code", "name"]


@admin.register(Branch)
class BranchAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "city", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name", "city"]
    list_select_related = ["region"]


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


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(ReadOnlyAdmin):
    list_display = ["profile", "role", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "role"]
    list_select_related = ["profile__user", "requested_by", "decided_by"]


@admin.register(EmailChangeRequest)
class EmailChangeRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "profile",
        "old_email",
        "new_email",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
    ]
    list_filter = ["status"]
    list_select_related = ["profile__user", "requested_by", "decided_by"]


# Django's own user and group pages would set is_superuser, is_staff, addresses and permissions by hand.
User = get_user_model()
admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["email", "last_name"]
    fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
