"""``{% campaign_links rows %}``: the campaigns list's links (``dashboards/campaigns.html``), in Python.

A page lists 20 campaigns, each a link to its breakdown and its window: through the template engine each
item was a ``{% url %}``, two ``date:"SHORT_DATE_FORMAT"`` and a handful of variable lookups. The markup is
the template's, character for character (tests/dashboards compare the tag with the loop it replaced):
the name through ``conditional_escape`` as ``{{ }}`` did, the dates through the ``date`` filter on the
time in the active time zone (what ``expects_localtime`` gives the filter) and escaped, the link reversed
once per page with a placeholder id, the period from the page's context.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

register = template.Library()

_PK = 987654321  # reversed once per page, then replaced by each campaign's id (an <int:pk> converter)


def _day(context, value) -> str:
    return conditional_escape(date(template_localtime(value, context.use_tz), "SHORT_DATE_FORMAT"))


@register.simple_tag(takes_context=True)
def campaign_links(context, rows) -> SafeString:
    url = conditional_escape(reverse("dashboards:campaign", args=[_PK]))
    before, after = url.split(str(_PK))
    suffix = f"{after}?days={conditional_escape(localize(context.get('days', '')))}"
    items = []
    for row in rows:
        campaign = row.campaign
        starts, ends = _day(context, campaign.starts_at), _day(context, campaign.ends_at)
        items.append(
            f'<li><a href="{before}{campaign.pk}{suffix}">{conditional_escape(campaign.name)}</a> '
            f'<span class="help">{starts} \u2013 {ends}</span></li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - every text above is escaped
