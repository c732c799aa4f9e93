from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.recruitment.csv_import import MAX_FILE_BYTES
from advocacy.recruitment.models import ATSProfile


class ApplicationUploadForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("ATS"), queryset=ATSProfile.objects.order_by("name"), empty_label=None
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: application_id, job_reference, applied_at, source_reference, stage, hired_at "
            "(; or , separated, dates as dd/mm/yyyy). No candidate names: they are not read."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError(_("The file is larger than 20 MB."))
            cleaned["data"] = upload.read()
        return cleaned
