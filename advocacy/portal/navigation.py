"""The main menu, built from the access rules: a person sees exactly the menu pages ``@access`` lets in.

Each entry names a route; whether it shows is asked of the rule recorded on that route's view
(``advocacy.org.access``), so the menu can never offer a page that answers 403, nor hide one a role may
open. There is no second list of who sees what (tests/portal/test_navigation.py checks both directions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from django.urls import get_script_prefix, get_urlconf, resolve, reverse
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
    # The drop-down menu this entry folds into when a person's menu is long ("" : always on the bar).
    menu: str | Promise = ""


# In menu order: advisers find content, write and share; compliance reviews, then the library's life, then
# oversight; then people and organisation.
RELATIONS, SETTINGS, RULES, CONTENT, OVERSIGHT, PEOPLE = (
    _("Relationships"),
    _("My settings"),
    _("Rules"),
    _("Content"),
    _("Oversight"),
    _("People"),
)
MENU: tuple[NavEntry, ...] = (
    NavEntry("content:library", _("Library"), "adviser"),
    NavEntry("content:my_drafts", _("My drafts"), "adviser"),
    NavEntry("shares:my_shares", _("My shares"), "adviser"),
    NavEntry("dashboards:my_results", _("My results"), "adviser"),
    NavEntry("recognition:page", _("Recognition"), "adviser"),
    NavEntry("relationships:timeline", _("My relationships"), "adviser", menu=RELATIONS),
    NavEntry("relationships:inbox", _("Signals"), "adviser", menu=RELATIONS),
    NavEntry("relationships:prospects", _("Prospects"), "adviser", menu=RELATIONS),
    NavEntry(
        "clients:list",
        _("My clients"),
        "adviser",
        (
            "clients:add",
            "clients:edit",
            "clients:consent",
            "clients:withdraw",
            "clients:delete",
            "clients:erase",
            "clients:timeline",
        ),
        menu=RELATIONS,
    ),
    NavEntry("campaigns:auto_share", _("Auto-share"), "adviser", menu=SETTINGS),
    NavEntry("xnetwork:connection", _("My X account"), "adviser", menu=SETTINGS),
    NavEntry("review:queue", _("Review queue"), "compliance", ("review:review",)),
    NavEntry("review:try_text", _("Try a text"), "compliance", menu=RULES),
    NavEntry("review:packs", _("Rule packs"), "compliance", ("review:pack", "review:rule_edit"), menu=RULES),
    NavEntry("content:new", _("New content"), "compliance", menu=CONTENT),
    NavEntry(
        "campaigns:list", _("Campaigns"), "compliance", ("campaigns:new", "campaigns:detail"), menu=CONTENT
    ),
    NavEntry(
        "dashboards:campaigns", _("Campaign results"), "compliance", ("dashboards:campaign",), menu=CONTENT
    ),
    NavEntry("shares:compliance_recalls", _("Recalls"), "compliance", menu=OVERSIGHT),
    NavEntry("xnetwork:compliance_connections", _("X connections"), "compliance", menu=OVERSIGHT),
    NavEntry("archive:search", _("Archive"), "compliance", ("archive:*",), menu=OVERSIGHT),
    NavEntry("relationships:capture_gaps", _("Inbound capture gaps"), "compliance", menu=OVERSIGHT),
    NavEntry("supervision:queue", _("Supervision"), "compliance", ("supervision:*",), menu=OVERSIGHT),
    NavEntry("usage:overview", _("X usage"), "compliance", menu=OVERSIGHT),
    NavEntry("dashboards:compliance", _("Compliance figures"), "compliance", menu=OVERSIGHT),
    NavEntry(
        "clients:scope", _("Clients"), "people", ("clients:imports", "clients:import"), menu=PEOPLE
    ),
    NavEntry(
        "relationships:team",
        _("Advisers' relationships"),
        "people",
        ("relationships:team_adviser",),
        menu=PEOPLE,
    ),
    NavEntry("dashboards:team", _("Team results"), "people", ("dashboards:team_adviser",), menu=PEOPLE),
    NavEntry("reach:offers", _("Recruitment reach"), "people", ("reach:*",), menu=PEOPLE),
    NavEntry("accounts:roster", _("Staff"), "people", ("accounts:roster_import",), menu=PEOPLE),
    NavEntry("org:staff", _("Organisation"), "people", ("org:*",), menu=PEOPLE),
    NavEntry("admin:index", _("Administration"), "people", menu=PEOPLE),
    NavEntry("portal:status", _("System status"), "people", menu=PEOPLE),
)
# Up to this many entries, a person's menu is one flat bar; beyond, entries fold into their drop-downs so
# that the bar fits one row at 1280 px in French.
FLAT_UP_TO = 5


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
    menu: str | Promise = ""


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
        MenuLink(url, entry.label, entry.group, _is_current(entry, view_name), entry.menu)
        for entry, url in _entries_for(user)
    ]


class _Standing:
    """What a rule asks of a person (signed in, roles), without the person: every member of staff with the
    same roles has the same menu, so it is worked out once per process per role set."""

    def __init__(self, is_authenticated: bool, roles: frozenset[str]):
        self.is_authenticated = is_authenticated
        self._relais_roles = roles  # read by ``roles_of``, as on a user whose roles are loaded


def _entries_for(user) -> tuple[tuple[NavEntry, str], ...]:
    from advocacy.org.selectors import roles_of

    authenticated = bool(getattr(user, "is_authenticated", False))
    return _entries_of(authenticated, roles_of(user), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _entries_of(
    authenticated: bool, roles: frozenset[str], _script_prefix: str, _urlconf
) -> tuple[tuple[NavEntry, str], ...]:
    """The entries (and their URLs) a person of this standing may open: the rules (``@access``) and the
    routes are fixed while the process runs, so this depends on the roles only. It was rebuilt on every
    page (about 30 rules asked and 30 URLs reversed, ~2 ms of a page's CPU, issue 13). The script prefix
    and URLconf are part of the key because ``reverse`` depends on them."""
    standing = _Standing(authenticated, roles)
    return tuple(
        (entry, reverse(entry.url_name)) for entry in MENU if rule_of(entry.url_name).allows(standing)
    )


@dataclass(frozen=True)
class MenuSection:
    """One place on the bar: a single link (``label`` empty) or a drop-down of several."""

    label: str | Promise
    links: tuple[MenuLink, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def sections_of(links: list[MenuLink]) -> list[MenuSection]:
    """The bar for ``links``: flat when short; otherwise each drop-down holding two or more of the person's
    entries folds them, at the place of its first entry, and a drop-down of one stays a plain link."""
    if len(links) <= FLAT_UP_TO:
        return [MenuSection("", (link,)) for link in links]
    counts: dict[str, int] = {}
    for link in links:
        counts[str(link.menu)] = counts.get(str(link.menu), 0) + 1
    sections: list[MenuSection] = []
    folded: dict[str, int] = {}
    for link in links:
        key = str(link.menu)
        if not link.menu or counts[key] < 2:
            sections.append(MenuSection("", (link,)))
        elif key in folded:
            at = folded[key]
            sections[at] = MenuSection(link.menu, (*sections[at].links, link))
        else:
            folded[key] = len(sections)
            sections.append(MenuSection(link.menu, (link,)))
    return sections
