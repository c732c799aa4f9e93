"""``{% select_options choices selected %}``: the ``<option>`` elements of a filter's ``<select>``.

For long lists a page shows on every view, such as the review queue's branch filter (every branch of the
bank, 500 at bank scale): as a template loop each option cost a dozen node renders and a number
localisation, ~20 ms of the page's CPU (issue 13); built here it costs two ``escape`` calls per option.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()
_SELECTED = " selected"


@register.simple_tag
def select_options(choices, selected=None):
    """``choices``: (value, label) pairs; the option whose value equals ``selected`` (compared as text, as
    the browser sends it back) is marked selected. Values and labels are escaped."""
    chosen = "" if selected is None else str(selected)
    options = (
        f'<option value="{escape(value)}"{_SELECTED if str(value) == chosen else ""}>{escape(label)}</option>'
        for value, label in choices
    )
    return mark_safe("".join(options))  # noqa: S308 - every value and label is escaped above
