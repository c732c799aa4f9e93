"""``{% group_row row %}``: one row of a reach table (``reach/_groups.html``), written in Python.

HR's offer page has four such tables, 84 rows (the top teams, every branch and region, the first 50
employees) of nine cells: through the template engine each row was ~15 variable lookups and two
includes of ``reach/_count.html``, ~9 ms of the view's CPU for the four tables (bench/bench_reach_page.py);
written here, ~1 ms. The markup is the template's, character for character (tests/reach compare the
tag with the template it replaced), and every text goes through ``conditional_escape`` as ``{{ }}`` did.
The column labels, the row heading and whether the table is ranked (a # column) or exact (HR's
per-employee table: a branch column, exact applications and hires) come from the including template's
context, as before.
"""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from advocacy.reach.templatetags.reach_numbers import group_digits, grouped, separator

register = template.Library()


def shown_count(count, sep: str | None) -> str:
    """What ``reach/_count.html`` writes for a count (``selectors.Count_``): the number, or "fewer than N"
    when withheld (the same catalogue entry as that template's ``blocktranslate``)."""
    if count.withheld:
        text = gettext("fewer than %(n)s") % {"n": conditional_escape(localize(count.minimum))}
        return f'<span class="withheld">{text}</span>'
    return _number(count.value, sep)


def _number(value, sep: str | None) -> str:
    """``grouped`` without its ``mark_safe`` (lazy-aware in Django: ~2 us a call); the row is marked once."""
    return group_digits(value, sep) if type(value) is int and sep is not None else grouped(value)


LABELS = ("l_sharers", "l_shares", "l_impressions", "l_unique", "l_applications", "l_hires", "l_branch")


def _table(context) -> tuple[dict[str, str], str | None]:
    """The table's escaped column labels and the language's separator, once per table (``render_context``
    lives for one rendering of the including template)."""
    found = context.render_context.get("reach_group_row")
    if found is None:
        labels = {name: conditional_escape(context.get(name, "")) for name in LABELS}
        found = context.render_context["reach_group_row"] = (labels, separator())
    return found


@register.simple_tag(takes_context=True)
def group_row(context, row, counter: int) -> SafeString:
    e = conditional_escape
    labels, sep = _table(context)
    cell = '<td data-label="{}" class="num">{}</td>'.format
    parts = ["<tr>\n    "]
    if context.get("ranked"):
        parts.append(f'<td data-label="#" class="num">{e(localize(counter))}</td>')
    heading = e(context.get("heading", ""))
    parts.append(f'\n    <th scope="row" data-label="{heading}">{e(row.label)}</th>\n    ')
    exact = context.get("exact")
    if exact:
        parts.append(f'<td data-label="{labels["l_branch"]}">{e(row.branch)}</td>')
    parts.append("\n    ")
    for label, value in (
        ("l_sharers", row.sharer_count),
        ("l_shares", row.shares),
        ("l_impressions", row.impressions),
        ("l_unique", row.unique_clicks),
    ):
        parts.append(cell(labels[label], _number(value, sep)) + "\n    ")
    applications, hires = labels["l_applications"], labels["l_hires"]
    if exact:
        parts.append(cell(applications, _number(row.applications, sep)))
        parts.append(cell(hires, _number(row.hires, sep)) + "\n    ")
    else:
        parts.append(cell(applications, shown_count(row.shown_applications, sep)))
        parts.append(cell(hires, shown_count(row.shown_hires, sep)))
    parts.append("\n  </tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above escaped
