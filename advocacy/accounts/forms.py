from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.roster import MAX_FILE_BYTES
from advocacy.org.timezones import UNKNOWN_TIME_ZONE, is_time_zone, time_zone_choices

# Workbooks saved with the wrong extension: zip (xlsx, ods) and OLE2 (xls).
_BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV)"),
        help_text=_(
            "At most 5 MB. Columns: employee_id, email, first_name, last_name, branch_code, roles, language "
            "(French names accepted), and optionally time_zone (such as Europe/Paris; an empty cell keeps "
            "the person's own). UTF-8 or Windows-1252, separated by commas or semicolons."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    deactivate_missing = forms.BooleanField(
        label=_("Deactivate staff missing from the file"),
        required=False,
        help_text=_(
            "Everyone active in Relais whose employee id is not in this file loses access at once: "
            "they can no longer sign in and their open sessions end. Their history is kept; "
            "an administrator can reactivate them. Tick this only if the file lists all the bank's staff."
        ),
    )
    send_invitations = forms.BooleanField(
        label=_("Send invitations to new staff"),
        required=False,
        help_text=_("New staff receive an e-mail with a link to choose their password."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Only .csv files are accepted: in your spreadsheet, use “Save as” and choose “CSV UTF-8”.")
            )
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); the limit is %(limit)s. Split it into several files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_FILE_BYTES)}
            )
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(_BINARY_SIGNATURES):
            raise forms.ValidationError(
                _("This is a spreadsheet workbook, not a CSV file: use “Save as” and choose “CSV UTF-8”.")
            )
        return upload


class TimeZoneChoiceField(forms.ChoiceField):
    """A grouped select of zones that accepts every name the time zone database knows, listed or not."""

    def valid_value(self, value) -> bool:
        return value == "" or is_time_zone(str(value))


class PreferencesForm(forms.Form):
    """What each member of staff chooses for themselves: the interface language and their time zone."""

    # Each language in its own words, as in the header's switcher: someone lost in the other language
    # still finds theirs.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("fr", "Français"), ("en", "English")],
    )
    time_zone = TimeZoneChoiceField(
        label=_("Time zone"),
        required=False,
        error_messages={"invalid_choice": UNKNOWN_TIME_ZONE},
        help_text=_(
            "Dates and times are shown in this zone, and the times you schedule posts for are read in it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("time_zone", "")
        self.fields["time_zone"].choices = time_zone_choices(current=current)
