"""The menu is the access policy: every link in it opens, and every menu page a person may open is in it."""

from __future__ import annotations

import re

import pytest

from advocacy.org.access import rule_for
from advocacy.org.demo import STAFF
from advocacy.org.models import Role
from advocacy.portal.navigation import MENU
from tests.portal.test_access_matrix import all_routes

MENU_NAMES = {entry.url_name for entry in MENU}
# Every single role, and every combination of roles a person of the demo bank holds.
ROLE_SETS = sorted(
    {frozenset({role}) for role in Role.values} | {frozenset(roles) for *_rest, roles, _lang in STAFF},
    key=lambda roles: (len(roles), sorted(roles)),
)
NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def _menu_links(client) -> list[str]:
    page = client.get("/")
    assert page.status_code == 200
    nav = NAV.search(page.content.decode())
    assert nav, "the shell shows no main navigation"
    return [href for href in HREF.findall(nav.group(1)) if href != "/"]  # Home is everyone's


def _reachable_menu_urls(user) -> set[str]:
    from django.urls import reverse

    return {
        reverse(name)
        for name, route, callback in all_routes()
        if name in MENU_NAMES and rule_for(callback, name, route).allows(user)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(sorted(roles)))
def test_every_menu_link_opens_and_every_menu_page_the_person_may_open_is_in_the_menu(
    roles, make_staff, client_for
):
    user = make_staff(*sorted(roles), branch="lille" if Role.ADVISER in roles else None)
    client = client_for(user)
    links = _menu_links(client)
    assert len(links) == len(set(links)), f"a menu entry shows twice: {links}"
    for href in links:
        # "New content" sends each person on to their own editor: the page it ends on must open.
        response = client.get(href, follow=True)
        assert response.status_code == 200, f"{href} in the menu answers {response.status_code}"
        assert not any("/login/" in url for url, _code in response.redirect_chain), href
    assert set(links) == _reachable_menu_urls(user)


def test_every_menu_entry_names_a_route_with_an_access_rule():
    named = {name for name, _route, _callback in all_routes()}
    assert named >= MENU_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda roles: "+".join(sorted(roles)))
def test_the_menu_worked_out_once_per_role_set_is_what_the_rules_say_for_each_person(roles, make_staff):
    """The menu is cached per role set (issue 13): it must equal, for every person, the entries whose
    route's rule lets that very person in, in menu order, whoever of the role set asked first."""
    from django.urls import reverse

    from advocacy.portal.navigation import menu_for, rule_of

    first, second = (make_staff(*sorted(roles), branch="lille") for _ in range(2))
    for user in (first, second):
        expected = [reverse(e.url_name) for e in MENU if rule_of(e.url_name).allows(user)]
        assert [link.url for link in menu_for(user)] == expected


@pytest.mark.django_db
def test_a_person_given_a_role_sees_its_menu_on_the_next_page(make_staff, client_for):
    """Nothing about a person is cached, only what a role set may open: a new role shows at once."""
    from django.urls import reverse

    from advocacy.org.services import set_roles

    user = make_staff(Role.ADVISER, branch="lille")
    client = client_for(user)
    assert reverse("campaigns:list") not in _menu_links(client)
    set_roles(profile=user.staff, roles={Role.ADVISER, Role.MARKETING})
    assert reverse("campaigns:list") in _menu_links(client)
