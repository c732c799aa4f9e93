"""``{% relationship_signals %}``: the adviser's unread signals on the home page, with a link to the inbox.
Renders nothing for anyone who is not an adviser, at the cost of one roles lookup (one count otherwise)."""

from __future__ import annotations

from django import template

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from advocacy.relationships.signals import unread_count

register = template.Library()


@register.inclusion_tag("relationships/_signals_panel.html", takes_context=True)
def relationship_signals(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or Role.ADVISER not in roles_of(user):
        return {"show": False}
    return {"show": True, "unread": unread_count(user)}
