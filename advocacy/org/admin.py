"""Administrators manage the organisation in Django's admin; staff changes still go through services so
that they are archived."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from advocacy.accounts.services import send_invitation
from advocacy.org.models import Bank, Branch, ManagedRegion, Region, StaffProfile, StaffRole
from advocacy.org.services import deactivate_staff, reactivate_staff


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "bank"]
    search_fields = ["code", "name"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name", "city"]
    list_select_related = ["region"]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


class ManagedRegionInline(admin.TabularInline):
    model = ManagedRegion
    extra = 0


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["employee_id", "user", "branch", "language", "is_active"]
    list_filter = ["branch__region", "branch", "roles__role", "user__is_active"]
    search_fields = ["employee_id", "user__email", "user__last_name"]
    list_select_related = ["user", "branch"]
    raw_id_fields = ["user"]
    inlines = [StaffRoleInline, ManagedRegionInline]
    actions = ["invite", "deactivate", "reactivate"]

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj):
        return obj.user.is_active

    @admin.action(description=_("Send an invitation e-mail"))
    def invite(self, request, queryset):
        for profile in queryset.select_related("user"):
            send_invitation(user=profile.user, actor=request.user)
        count = queryset.count()
        self.message_user(request, ngettext("%d invitation sent.", "%d invitations sent.", count) % count)

    @admin.action(description=_("Deactivate (cannot sign in, sessions end)"))
    def deactivate(self, request, queryset):
        done = sum(deactivate_staff(profile=p, actor=request.user) for p in queryset)
        self.message_user(
            request,
            ngettext("%d person deactivated.", "%d people deactivated.", done) % done,
            messages.WARNING,
        )

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset):
        done = sum(reactivate_staff(profile=p, actor=request.user) for p in queryset)
        self.message_user(request, ngettext("%d person reactivated.", "%d people reactivated.", done) % done)
