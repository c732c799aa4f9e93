"""``{% campaign_highlights %}``: the running campaigns that target the signed-in adviser, with a one-click
share (library and home). Renders nothing for anyone else, at the cost of one roles lookup."""

from __future__ import annotations

from django import template

from advocacy.campaigns.selectors import highlights_for

register = template.Library()


@register.inclusion_tag("campaigns/_highlights.html", takes_context=True)
def campaign_highlights(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    highlights = highlights_for(user) if user is not None and user.is_authenticated else []
    return {"highlights": highlights, "csrf_token": context.get("csrf_token")}
