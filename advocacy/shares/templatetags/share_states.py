"""``{% share_states_for entries as states %}`` and ``states|state_of:item``: the library (content's page,
which may not import the share engine) says which items the adviser already shared or scheduled, in one
query for the page."""

from __future__ import annotations

from django import template

from advocacy.shares.selectors import share_states_for as _share_states_for

register = template.Library()


@register.simple_tag(takes_context=True)
def share_states_for(context, entries) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return _share_states_for(user, [item.pk for item, _preview in entries])


@register.filter
def state_of(states: dict, item):
    return (states or {}).get(getattr(item, "pk", item))
