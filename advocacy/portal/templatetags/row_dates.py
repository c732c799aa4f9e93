"""``{% row_date value "FORMAT" %}``: Django's ``date`` filter for the rows of a list, worked out once per
distinct value in a page.

A list of 50-100 rows formats 100-150 dates per page; after a mass revocation most of them are the same
instant (every account and every gap of compliance connections), and each ``|date`` costs ~50 µs of
localisation (the time zone, the format's lookup, ``P``'s translated "a.m."). The output is exactly the
filter's: the same conversion to the reader's time zone (``template_localtime``, as the filter gets it)
and the filter itself, remembered for this render only (``context.render_context``), keyed by the value,
its time zone, the format and the language, so nothing outlives the page."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def row_date(context, value, arg=None) -> str:
    value = template_localtime(value, context.use_tz)
    formatted = context.render_context.get(_MEMO)
    if formatted is None:
        formatted = context.render_context[_MEMO] = {}
    key = (value, getattr(value, "tzinfo", None), arg, get_language())
    try:
        return formatted[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value: the filter's answer, not remembered
        return date_filter(value, arg)
    formatted[key] = text = date_filter(value, arg)
    return text


_MEMO = "row_dates.formatted"
