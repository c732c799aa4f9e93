from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from compliance.supervision.models import Flag, SupervisionItem
from compliance.supervision.selectors import adviser_by_email


class FlagFilter(forms.Form):
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=[("", _("Every entry")), *Flag.choices])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (SupervisionItem.Decision.REVIEWED, _("Reviewed")),
            (SupervisionItem.Decision.ESCALATED, _("Escalate")),
        ]
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RateForm(forms.Form):
    adviser_email = forms.EmailField(label=_("Adviser (e-mail)"))
    percent = forms.IntegerField(
        label=_("Sampling rate (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to apply the bank's default rate again."),
    )

    def clean_adviser_email(self):
        adviser = adviser_by_email(self.cleaned_data["adviser_email"])
        if adviser is None or Role.ADVISER not in roles_of(adviser):
            raise forms.ValidationError(_("No adviser has this e-mail address."))
        self.cleaned_data["adviser"] = adviser
        return self.cleaned_data["adviser_email"]
