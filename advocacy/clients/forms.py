"""The client book's forms: they check what the services would refuse, so a refusal is shown beside its
field and nothing typed is lost (the handle rule is the service's own ``normalise_handle``)."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.clients import crm_file
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


# Workbooks saved with the wrong extension: zip (xlsx, ods) and OLE2 (xls).
_BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
ADVISER_COLUMN_CHOICES = [
    ("adviser_email", _("adviser_email: the adviser's e-mail address")),
    ("adviser_employee_id", _("adviser_employee_id: the adviser's employee id")),
]


class ClientImportForm(forms.Form):
    """Refuses at once what the worker could not read (not a CSV file, empty, too large, no header with the
    needed columns), so the manager fixes the file now rather than reading a failed import later."""

    file = forms.FileField(
        label=_("CRM export (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    adviser_column = forms.ChoiceField(
        label=_("Advisers are named by"), choices=ADVISER_COLUMN_CHOICES, initial="adviser_email"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(limit)s. Columns: client_ref, first_name, last_name, adviser_email (or "
            "adviser_employee_id), x_handle, consent, consent_date. UTF-8 or Windows-1252, separated by "
            "commas or semicolons; dates as dd/mm/yyyy; consent as oui/non, yes/no, 1/0 or vrai/faux."
        ) % {"limit": filesizeformat(crm_file.MAX_FILE_BYTES)}

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if not upload.name.lower().endswith(".csv"):
            self.add_error(
                "file",
                _("Only .csv files are accepted: in your spreadsheet, use “Save as” and choose “CSV UTF-8”."),
            )
            return cleaned
        if upload.size > crm_file.MAX_FILE_BYTES:
            self.add_error(
                "file",
                _("The file is too large (%(size)s); the limit is %(limit)s. Split it into several files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(crm_file.MAX_FILE_BYTES)},
            )
            return cleaned
        data = b"".join(upload.chunks())
        if data.startswith(_BINARY_SIGNATURES):
            self.add_error(
                "file",
                _("This is a spreadsheet workbook, not a CSV file: use “Save as” and choose “CSV UTF-8”."),
            )
            return cleaned
        problem = crm_file.file_problem(data, adviser_column=cleaned.get("adviser_column", "adviser_email"))
        if problem:
            self.add_error("file", problem)
            return cleaned
        cleaned["data"] = data
        return cleaned
