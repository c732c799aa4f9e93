"""What every dashboard page shares: the period form (last 7, 30 or 90 UTC days) and the CSV response."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.dashboards.selectors import Range

DEFAULT_DAYS = 30


class RangeForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        choices=[
            (7, gettext_lazy("Last 7 days")),
            (30, gettext_lazy("Last 30 days")),
            (90, gettext_lazy("Last 90 days")),
        ],
        coerce=int,
        required=False,
        empty_value=DEFAULT_DAYS,
    )


def period_from(request: HttpRequest) -> tuple[RangeForm, Range | None]:
    data = request.GET if "days" in request.GET else {"days": DEFAULT_DAYS}
    form = RangeForm(data)
    if not form.is_valid():
        return form, None
    return form, Range.last(form.cleaned_data["days"], now=timezone.now())


def bad_period() -> HttpResponse:
    return HttpResponse(_("Choose a period of 7, 30 or 90 days."), status=400, content_type="text/plain")


def day_label(day) -> str:
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def csv_response(name: str, period: Range) -> HttpResponse:
    """A CSV download named after the page and its period (UTF-8 with a BOM, so that a spreadsheet reads
    the accents of the headings)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}.csv"'
    )
    response.write("\ufeff")
    return response
