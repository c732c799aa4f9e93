"""Forms for adviser drafts and library items. Field rules come from ``advocacy.content.validation`` so the
form, the services and the shell agree; each message says what is wrong and how to fix it."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from advocacy.content import validation
from advocacy.content.models import Category, ContentItem, ContractType, JobOffer, Language
from advocacy.org import slot_values
from advocacy.org.models import Branch, Region, Role

_LIVE_FIELDS = ("text", "link_url", "disclosure", "label", "category", "language")


def _live(form: forms.Form) -> None:
    """Each keystroke posts the form to the counter endpoint, which answers the weighted count and what
    would block the submission."""
    attrs = {
        "hx-post": reverse("content:count"),
        "hx-target": "#post-counter",
        "hx-include": "closest form",
        "hx-swap": "innerHTML",
    }
    for name in _LIVE_FIELDS:
        if name in form.fields:
            trigger = (
                "keyup changed delay:300ms"
                if name in ("text", "link_url", "disclosure", "label")
                else "change"
            )
            form.fields[name].widget.attrs.update({**attrs, "hx-trigger": trigger})


class _PostFields(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the content a title.")}
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.FRENCH)
    text = forms.CharField(
        label=_("Text of the post"),
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=False,
        error_messages={"required": _("Write the text of the post: it is empty.")},
    )
    link_url = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=500,
        help_text=_("Counts 23 characters on X, whatever its length."),
    )

    allow_slots = False

    def clean_text(self) -> str:
        return validation.validate_post_text(self.cleaned_data.get("text", ""), allow_slots=self.allow_slots)

    def clean_link_url(self) -> str:
        return validation.validate_link(self.cleaned_data.get("link_url", ""))

    def _check_length(self, field: str, wording: str) -> None:
        data = self.cleaned_data
        try:
            validation.validate_length(
                wording,
                disclosure=data.get("disclosure", ""),
                label=data.get("label", ""),
                link_url=data.get("link_url", ""),
            )
        except forms.ValidationError as exc:
            self.add_error(field, exc)


class DraftForm(_PostFields):
    """An adviser's own post: plain words, no slots, no disclosure line (the checks say if one is needed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _live(self)

    def clean(self):
        data = super().clean()
        if data.get("text") is not None:
            self._check_length("text", data["text"])
        return data


class LibraryItemForm(_PostFields):
    allow_slots = True

    disclosure = forms.CharField(
        label=_("Disclosure"),
        required=False,
        max_length=500,
        help_text=_("Risk warning shown in the post itself, visible without a click."),
    )
    label = forms.CharField(
        label=_("Label"),
        required=False,
        max_length=60,
        help_text=_("For example #PUB or #MarketingCommunication."),
    )
    guidance_html = forms.CharField(
        label=_("Guidance for advisers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Paragraphs, bold, italics, lists, quotes and links are kept; anything else is removed."),
    )
    image = forms.FileField(label=_("Image"), required=False)
    image_alt = forms.CharField(label=_("Image description (alt text)"), required=False, max_length=400)
    audience_whole_bank = forms.BooleanField(label=_("The whole bank"), required=False, initial=True)
    audience_regions = forms.ModelMultipleChoiceField(
        label=_("Regions"), queryset=Region.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_branches = forms.ModelMultipleChoiceField(
        label=_("Branches"),
        queryset=Branch.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for advisers."),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    # A job offer's facts: shown for the recruitment category only (relais.js hides them otherwise, a plain
    # fieldset without JavaScript), required and checked by the services for that category, ignored for
    # the others.
    job_reference = forms.CharField(
        label=_("Job reference"),
        required=False,
        max_length=64,
        help_text=_("The offer's id in the applicant-tracking system (ATS)."),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("A branch code or name, or a city."),
    )
    contract_type = forms.ChoiceField(
        label=_("Contract type"), required=False, choices=[("", "---------"), *ContractType.choices]
    )
    closes_on = forms.DateField(
        label=_("Closing date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The offer leaves the library at the end of this day."),
    )

    JOB_FIELDS = ("job_reference", "place", "contract_type", "closes_on")
    field_order = [
        "title",
        "category",
        "language",
        "text",
        "link_url",
        *JOB_FIELDS,
    ]

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:  # HR writes job offers only
            self.fields["category"].choices = [(v, label) for v, label in Category.choices if v in categories]
        _live(self)

    def clean_disclosure(self) -> str:
        return slot_values.validate_short_line(
            self.cleaned_data.get("disclosure", ""), field_label=_("The disclosure")
        )

    def clean_label(self) -> str:
        return slot_values.validate_short_line(self.cleaned_data.get("label", ""), field_label=_("The label"))

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            from django.core.validators import FileExtensionValidator

            from advocacy.content.models import IMAGE_EXTENSIONS, validate_image_file

            FileExtensionValidator(IMAGE_EXTENSIONS)(image)
            validate_image_file(image)
        return image

    def clean(self):
        data = super().clean()
        if data.get("text") is not None:
            self._check_length("text", data["text"])
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        if (
            not data.get("audience_whole_bank")
            and not data.get("audience_regions")
            and not data.get("audience_branches")
        ):
            self.add_error(
                "audience_whole_bank", _("Choose the whole bank, or at least one region or branch.")
            )
        if data.get("category") == Category.RECRUITMENT:
            data["expires_at"] = None  # a job offer expires when it closes (``closes_on``)
        else:
            for name in self.JOB_FIELDS:
                data.pop(name, None)
        try:
            validation.validate_dates(data.get("valid_from"), data.get("expires_at"))
        except forms.ValidationError as exc:
            self.add_error(None, exc)
        return data


class VariantForm(forms.Form):
    text = forms.CharField(
        label=_("Variant"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )


VariantFormSet = forms.formset_factory(VariantForm, extra=2, max_num=20)


def initial_for(item: ContentItem) -> tuple[dict, list[dict]]:
    version = item.current_version
    initial = {
        "title": item.title,
        "category": item.category,
        "language": item.language,
        "text": version.text,
        "link_url": version.link_url,
        "disclosure": version.disclosure,
        "label": version.label,
        "guidance_html": item.guidance_html,
        "image_alt": item.image_alt,
        "audience_whole_bank": item.audience_whole_bank,
        "audience_regions": list(item.audience_regions.all()),
        "audience_branches": list(item.audience_branches.all()),
        "audience_roles": list(item.audience_roles.values_list("role", flat=True)),
        "valid_from": item.valid_from,
        "expires_at": item.expires_at,
    }
    offer = JobOffer.objects.filter(item=item).first()
    if offer is not None:
        initial.update(
            job_reference=offer.job_reference,
            place=offer.place,
            contract_type=offer.contract_type,
            closes_on=offer.closes_on,
        )
    variants = [{"text": t} for t in version.variants.order_by("position").values_list("text", flat=True)]
    return initial, variants
