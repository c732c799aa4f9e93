"""Administrators configure ATS profiles in Django's admin; the webhook secret is write-only there."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from advocacy.recruitment.formats import DEFAULT_PARAMETERS
from advocacy.recruitment.models import Application, ATSProfile


class ATSProfileForm(forms.ModelForm):
    webhook_secret = forms.CharField(
        label=_("webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret. It is stored encrypted and never shown again."),
    )

    class Meta:
        model = ATSProfile
        fields = ["name", "slug", "vendor", "parameters", "replace_utm", "applies_to_all", "items"]

    def save(self, commit=True):
        profile = super().save(commit=False)
        if not profile.parameters:
            profile.parameters, profile.replace_utm = DEFAULT_PARAMETERS[profile.vendor]
        if self.cleaned_data.get("webhook_secret"):
            profile.set_webhook_secret(self.cleaned_data["webhook_secret"])
        if commit:
            profile.save()
            self.save_m2m()
        return profile


@admin.register(ATSProfile)
class ATSProfileAdmin(admin.ModelAdmin):
    form = ATSProfileForm
    list_display = ("name", "slug", "vendor", "applies_to_all")
    filter_horizontal = ("items",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("external_id", "profile", "job_reference", "stage", "employee", "applied_at")
    list_filter = ("profile", "stage")
    readonly_fields = [f.name for f in Application._meta.fields]

    def has_add_permission(self, request):
        return False
