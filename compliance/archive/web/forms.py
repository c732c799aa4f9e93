from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.archive import events
from compliance.archive.events import event_types


class _BankDays:
    """Date ranges are whole days in the bank's time zone (``export.day_bounds``): say so by the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_to"].help_text = gettext("Whole days, in the bank's time zone (%(zone)s).") % {
            "zone": settings.TIME_ZONE
        }


class _EventTypeField(forms.ChoiceField):
    """A declared event type or family from the list; also the free-form types tests register (events.py)."""

    def valid_value(self, value):
        return super().valid_value(value) or events.accepts_freeform(value)


class SearchForm(_BankDays, forms.Form):
    adviser = forms.CharField(label=_("Adviser (e-mail or name)"), required=False, max_length=254)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    event_type = _EventTypeField(
        label=_("Event type"),
        required=False,
        help_text=_("One event, or every event of a family."),
    )
    text = forms.CharField(label=_("Text in the payload"), required=False, max_length=200)
    network_post_id = forms.CharField(label=_("Network post id"), required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = event_type_choices()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def event_type_choices() -> list:
    """The declared event types (``events.event_types()``), grouped by family; each family can also be
    searched whole (its prefix, "share.", which the search reads as every event of the family)."""
    families: dict[str, list[str]] = {}
    for name in event_types():
        families.setdefault(name.split(".", 1)[0], []).append(name)
    choices: list = [("", gettext("Every event"))]
    for family, names in families.items():
        whole = (
            [(f"{family}.", gettext("every %(family)s event") % {"family": family})] if len(names) > 1 else []
        )
        choices.append((family, [*whole, *((name, name) for name in names)]))
    return choices


class ExportForm(_BankDays, forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    adviser_email = forms.EmailField(label=_("Only this adviser (e-mail, optional)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class LegalHoldForm(forms.Form):
    adviser_email = forms.EmailField(label=_("Adviser (e-mail)"), required=False)
    subject_ref = forms.CharField(
        label=_("Or a subject reference"),
        required=False,
        max_length=255,
        help_text=_("As shown on a record page, e.g. “content.contentitem:42”."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean(self):
        data = super().clean()
        email, ref = data.get("adviser_email"), (data.get("subject_ref") or "").strip()
        if not email and not ref:
            raise forms.ValidationError(_("Name an adviser or a subject reference."))
        data["user"] = None
        if email:
            data["user"] = get_user_model().objects.filter(email__iexact=email).first()
            if data["user"] is None:
                self.add_error("adviser_email", _("Nobody has this e-mail address."))
        return data
