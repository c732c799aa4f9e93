"""Django's admin, for superusers (administrators): a read-only view of the organisation.

Everything that changes staff or branches goes through the services that archive it, on the portal's
Organisation pages (``advocacy.org.views``): roles with four eyes on privilege, address changes confirmed by
an administrator, branch edits with the slot rule for cities. So the admin shows, and offers only actions
that call those services (invite, deactivate, reactivate: the staff page, ``advocacy.accounts.admin``,
since inviting is the accounts app's); nothing can be deleted here, and Django's own
user and group pages cannot set ``is_superuser``, ``is_staff``, addresses or permissions by hand.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from advocacy.org.models import (
    Bank,
    Branch,
    EmailChangeRequest,
    Region,
    RoleGrantRequest,
)


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
