"""Forms of the Organisation pages: they parse input; the rules are the services' (advocacy.org.services,
privileges, identity), which the views call."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.org.models import Branch, ManagedRegion, Region, Role, StaffProfile
from advocacy.org.policies import ordinary_roles, privileged_roles


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, address or employee id"), required=False, max_length=200)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.order_by("name"),
        required=False,
        empty_label=_("All branches"),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("Everyone"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *Role.choices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"].strip(),
            "branch": data["branch"],
            "role": data["role"],
            "status": data["status"] or "active",
        }


class StaffEditForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.select_related("region").order_by("name"),
        required=False,
        empty_label=_("Head office (no branch)"),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Privileged roles are granted below, with a second administrator's approval."),
    )
    managed_regions = forms.ModelMultipleChoiceField(
        label=_("Regions managed"),
        queryset=Region.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a regional manager: the regions they cover (none: the region of their own branch)."),
    )

    def __init__(self, *args, profile: StaffProfile, **kwargs):
        held = {r.role for r in profile.roles.all()}
        kwargs.setdefault(
            "initial",
            {
                "branch": profile.branch_id,
                "roles": [r for r in ordinary_roles() if r in held],
                "managed_regions": list(
                    ManagedRegion.objects.filter(profile=profile).values_list("region_id", flat=True)
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, Role(r).label) for r in ordinary_roles()]


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label=_("New address"),
        help_text=_(
            "The current address is told at once; the change takes effect when another administrator "
            "confirms it, and the person is then signed out everywhere."
        ),
    )


class GrantRequestForm(forms.Form):
    role = forms.ChoiceField(label=_("Privileged role"))

    def __init__(self, *args, grantable: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in grantable]


class RoleForm(forms.Form):
    """The role of a revocation button."""

    role = forms.ChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, r) for r in sorted(privileged_roles())]


class BranchForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(
        label=_("City"),
        max_length=200,
        help_text=_("Fills the {branch_city} slot of templates: plain text on one line, no link."),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("name"))
