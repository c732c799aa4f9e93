"""Administrators see rule packs read-only (compliance edits them in the rule-pack editor, where every change
bumps the version and is archived); compliance settings are edited here, and archived too."""

from django.contrib import admin

from advocacy.content.models import ComplianceSettings
from compliance.archive.services import record
from compliance.review.models import CategoryRequirement, LexiconRule, RulePack


class LexiconRuleInline(admin.TabularInline):
    model = LexiconRule
    extra = 0
    fields = ["phrase", "language", "severity", "active"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RulePack)
class RulePackAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "jurisdiction", "active", "version", "updated_at"]
    list_filter = ["language", "active"]
    search_fields = ["name"]
    readonly_fields = [
        "name",
        "language",
        "jurisdiction",
        "description",
        "active",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [LexiconRuleInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ArchivedChangesAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(
            "compliance.settings_changed",
            subject=obj,
            actor=request.user,
            payload={
                "model": obj._meta.model_name,
                "pk": obj.pk,
                "changed": {name: form.cleaned_data.get(name) for name in form.changed_data},
            },
        )

    def delete_model(self, request, obj):
        record(
            "compliance.settings_changed",
            subject=obj,
            actor=request.user,
            payload={"model": obj._meta.model_name, "pk": obj.pk, "deleted": True},
        )
        super().delete_model(request, obj)


@admin.register(ComplianceSettings)
class ComplianceSettingsAdmin(_ArchivedChangesAdmin):
    list_display = ["__str__", "max_weighted_length", "updated_at"]

    def has_add_permission(self, request):
        return not ComplianceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CategoryRequirement)
class CategoryRequirementAdmin(_ArchivedChangesAdmin):
    list_display = ["category", "language", "required_label"]
    list_filter = ["language"]
