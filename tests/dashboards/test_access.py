"""Every dashboards route, every role: what the ``@access`` rule says is what the server does (the same
check as tests/portal/test_access_matrix.py, for this app's routes alone), and the menu offers each page
to exactly the roles it lets in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.org.access import rule_for
from advocacy.portal.navigation import menu_for
from tests.dashboards.url_samples import SAMPLES
from tests.portal.test_access_matrix import ROLES, _is_login_redirect, all_routes

pytestmark = pytest.mark.django_db


def _routes():
    return [
        (name, callback) for name, _route, callback in all_routes() if name and name.startswith("dashboards:")
    ]


def test_every_role_gets_what_the_rule_says_on_every_dashboards_route(personas, client_for):
    clients = {role: client_for(personas[role]) for role in ROLES}
    problems, seen = [], 0
    for name, callback in _routes():
        rule = rule_for(callback, name)
        url = reverse(name, kwargs=SAMPLES[name](personas)) if name in SAMPLES else reverse(name)
        seen += 1
        if not _is_login_redirect(Client().get(url)):
            problems.append(f"{name} anonymous: no sign-in redirect")
        for role in ROLES:
            status = clients[role].get(url).status_code
            allowed = role in rule.roles
            if allowed and status == 403:
                problems.append(f"{name} as {role}: refused")
            if not allowed and status != 403:
                problems.append(f"{name} as {role}: expected 403, got {status}")
    assert seen == 12 and not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "role,entry",
    [
        ("branch_manager", "/results/team/"),
        ("regional_manager", "/results/team/"),
        ("marketing", "/results/campaigns/"),
        ("compliance", "/results/compliance/"),
    ],
)
def test_the_menu_offers_each_dashboard_to_its_roles_only(personas, role, entry):
    for other in ROLES:
        urls = {link.url for link in menu_for(personas[other])}
        assert (entry in urls) == (other == role or (entry == "/results/team/" and "manager" in other)), other
