"""The main menu, built from the access rules: a person sees exactly the menu pages ``@access`` lets in.

Each entry names a route; whether it shows is asked of the rule recorded on that route's view
(``advocacy.org.access``), so the menu can never offer a page that answers 403, nor hide one a role may
open. There is no second list of who sees what (tests/portal/test_navigation.py checks both directions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from advocacy.org.access import Rule, rule_for


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    group: str
    # Other routes during which this entry is the current page ("namespace:*" for a whole namespace).
    current_on: tuple[str, ...] = ()


# In menu order: advisers find content, write and share; compliance reviews, then the library's life, then
# oversight; then people and organisation.
MENU: tuple[NavEntry, ...] = (
    NavEntry("content:library", _("Library"), "adviser"),
    NavEntry("content:my_drafts", _("My drafts"), "adviser"),
    NavEntry("shares:my_shares", _("My shares"), "adviser"),
    NavEntry("campaigns:auto_share", _("Auto-share"), "adviser"),
    NavEntry("xnetwork:connection", _("My X account"), "adviser"),
    NavEntry("review:queue", _("Review queue"), "compliance", ("review:review",)),
    NavEntry("review:try_text", _("Try a text"), "compliance"),
    NavEntry("review:packs", _("Rule packs"), "compliance", ("review:pack", "review:rule_edit")),
    NavEntry("content:new", _("New content"), "compliance"),
    NavEntry("campaigns:list", _("Campaigns"), "compliance", ("campaigns:new", "campaigns:detail")),
    NavEntry("shares:compliance_recalls", _("Recalls"), "compliance"),
    NavEntry("xnetwork:compliance_connections", _("X connections"), "compliance"),
    NavEntry("archive:search", _("Archive"), "compliance", ("archive:record",)),
    NavEntry("accounts:roster", _("Staff"), "people", ("accounts:roster_import",)),
    NavEntry("org:staff", _("Organisation"), "people", ("org:*",)),
    NavEntry("admin:index", _("Administration"), "people"),
)


@cache
def rule_of(url_name: str) -> Rule:
    """The rule the route's view enforces (routes do not change while the process runs)."""
    match = resolve(reverse(url_name))
    rule = rule_for(match.func, match.view_name, match.route)
    if rule is None:
        raise LookupError(f"{url_name} declares no access rule: it cannot be a menu entry")
    return rule


@dataclass(frozen=True)
class MenuLink:
    url: str
    label: str | Promise
    group: str
    current: bool


def _is_current(entry: NavEntry, view_name: str | None) -> bool:
    if not view_name:
        return False
    for name in (entry.url_name, *entry.current_on):
        if name == view_name or (name.endswith(":*") and view_name.startswith(name[:-1])):
            return True
    return False


def menu_for(user, *, view_name: str | None = None) -> list[MenuLink]:
    """The menu entries ``user`` may open, in order; ``view_name`` (the page being shown) marks its entry."""
    return [
        MenuLink(reverse(entry.url_name), entry.label, entry.group, _is_current(entry, view_name))
        for entry in MENU
        if rule_of(entry.url_name).allows(user)
    ]
