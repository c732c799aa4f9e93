"""``{% adviser_row row %}``: one row of the team page's per-adviser table (``dashboards/team.html``),
written in Python.

A page of the table is 50 advisers of ten cells: through the template engine each row was ~20 variable
lookups, a ``{% url %}``, four ``floatformat:"0g"`` and the engagement rate computed twice. The markup is
the template's, character for character (tests/dashboards compare the page with the template it replaced),
every text goes through ``conditional_escape`` as ``{{ }}`` did, and the counts are written by the reach
app's ``grouped`` (what ``floatformat:"0g"`` writes for an int), the rate as ``floatformat:1`` writes it
(``_tenths``). The column labels, "Yes"/"No" and the
period come from the including template's context (its ``{% translate … as l_… %}``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from advocacy.reach.templatetags.reach_numbers import group_digits, grouped, separator

register = template.Library()

_PK = 987654321  # reversed once per page, then replaced by each adviser's id (an <int:user_id> converter)
LABELS = ("l_adviser", "l_branch", "l_connected", "l_this", "l_last", "l_posts", "l_impressions")
LABELS += ("l_engagements", "l_rate", "l_clicks", "l_yes", "l_no")


def _number(value, sep: str | None) -> str:
    return group_digits(value, sep) if type(value) is int and sep is not None else str(grouped(value))


_TENTH = Decimal("0.1")


def _formats() -> tuple:
    """What ``number_format`` looks up for ``floatformat``'s call (the active language, localised)."""
    lang = get_language()
    return tuple(get_format(name, lang, use_l10n=True) for name in _FORMATS)


_FORMATS = ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")


def _tenths(rate: Decimal, formats: tuple) -> str:
    """``floatformat(rate, 1)`` for the Decimal ``measures.rate`` gives: rounded half up to one decimal,
    written without exponent, no sign on a zero (floatformat writes -0.04 as 0.0), then number_format(…, 1)
    (no forced grouping) with the language's separators read once per page."""
    rounded = rate.quantize(_TENTH, ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)
    decimal_sep, grouping, thousand_sep = formats
    return numberformat.format(f"{rounded:f}", decimal_sep, 1, grouping, thousand_sep, use_l10n=True)


def _page(context) -> tuple:
    """What every row of the page shares, computed on its first row (the render context lives one render)."""
    found = context.render_context.get("adviser_row")
    if found is None:
        labels = {name: conditional_escape(context.get(name, "")) for name in LABELS}
        url = conditional_escape(reverse("dashboards:team_adviser", args=[_PK]))
        before, after = url.split(str(_PK))
        suffix = f"{after}?days={conditional_escape(localize(context.get('days', '')))}"
        found = (labels, before, suffix, separator(), _formats())
        context.render_context["adviser_row"] = found
    return found


@register.simple_tag(takes_context=True)
def adviser_row(context, row) -> SafeString:
    labels, before, suffix, sep, formats = _page(context)
    yes, no = labels["l_yes"], labels["l_no"]
    rate = row.rate
    shown_rate = "—" if rate is None else f"{_tenths(rate, formats)}&nbsp;%"
    branch = conditional_escape(row.branch) if row.branch else "—"
    return mark_safe(  # noqa: S308 - every text above is escaped
        "<tr>\n"
        f'      <td data-label="{labels["l_adviser"]}"><a href="{before}{row.pk}{suffix}">'
        f"{conditional_escape(row.name)}</a></td>\n"
        f'      <td data-label="{labels["l_branch"]}">{branch}</td>\n'
        f'      <td data-label="{labels["l_connected"]}">{yes if row.connected else no}</td>\n'
        f'      <td data-label="{labels["l_this"]}">{yes if row.active_this_month else no}</td>\n'
        f'      <td data-label="{labels["l_last"]}">{yes if row.active_last_month else no}</td>\n'
        f'      <td data-label="{labels["l_posts"]}" class="num">{_number(row.shares, sep)}</td>\n'
        f'      <td data-label="{labels["l_impressions"]}" class="num">{_number(row.impressions, sep)}</td>\n'
        f'      <td data-label="{labels["l_engagements"]}" class="num">{_number(row.engagements, sep)}</td>\n'
        f'      <td data-label="{labels["l_rate"]}" class="num">{shown_rate}</td>\n'
        f'      <td data-label="{labels["l_clicks"]}" class="num">{_number(row.clicks, sep)}</td>\n'
        "    </tr>"
    )
