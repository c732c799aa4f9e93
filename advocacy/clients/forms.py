"""The client book's forms: they check what the services would refuse, so a refusal is shown beside its
field and nothing typed is lost (the handle rule is the service's own ``normalise_handle``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.clients.models import Client, Consent
from advocacy.clients.services import normalise_handle


def _clean_handle(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return normalise_handle(raw)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


class AddClientForm(forms.Form):
    client_ref = forms.CharField(label=_("Client reference"), max_length=64)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def clean_client_ref(self) -> str:
        ref = self.cleaned_data["client_ref"].strip()
        if Client.objects.filter(client_ref=ref).exists():
            raise forms.ValidationError(_("A client with this reference is already in the book."))
        return ref


class EditClientForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    x_handle = forms.CharField(
        label=_("X handle"),
        max_length=100,
        required=False,
        help_text=_("@name, name or https://x.com/name. Kept only while the client's consent stands."),
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        if not client.consent_given:
            del self.fields["x_handle"]  # no consent, no handle: the consent form takes it

    def clean_x_handle(self) -> str:
        return _clean_handle(self.cleaned_data.get("x_handle", ""))


# Consent recorded by hand; "import" is for the CRM file only.
HAND_METHODS = [(value, label) for value, label in Consent.Method.choices if value != Consent.Method.IMPORT]


class ConsentForm(forms.Form):
    method = forms.ChoiceField(label=_("How the client consented"), choices=HAND_METHODS)
    consent_date = forms.DateField(
        label=_("Consent date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    x_handle = forms.CharField(
        label=_("X handle"),
        max_length=100,
        required=False,
        help_text=_("@name, name or https://x.com/name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_date"].initial = timezone.localdate()

    def clean_consent_date(self):
        day = self.cleaned_data["consent_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The consent date cannot be in the future."))
        return day

    def clean_x_handle(self) -> str:
        return _clean_handle(self.cleaned_data.get("x_handle", ""))
