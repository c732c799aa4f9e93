"""Every route, every role: the access policy in advocacy/org/access.py is what the server does."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from advocacy.org.access import rule_for
from advocacy.org.models import Role

ROLES = [
    Role.ADVISER,
    Role.BRANCH_MANAGER,
    Role.REGIONAL_MANAGER,
    Role.COMPLIANCE,
    Role.MARKETING,
    Role.HR,
    Role.ADMIN,
]
# Routes that cannot be requested by name alone (admin's per-model pages are covered by admin:index and
# one model's changelist; static serving is not ours).
SKIPPED_PREFIXES = ("admin:", "static")
ADMIN_SAMPLES = ["admin:index", "admin:org_branch_changelist"]


def _samples() -> dict:
    merged: dict = {}
    for info in pkgutil.iter_modules(tests.__path__):
        try:
            module = importlib.import_module(f"tests.{info.name}.url_samples")
        except ModuleNotFoundError:
            continue
        merged.update(module.SAMPLES)
    return merged


def _walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, full_ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), pattern.callback


def all_routes():
    return list(_walk(get_resolver().url_patterns))


def test_every_route_declares_who_may_reach_it():
    missing = [
        f"{name or '(unnamed)'} -> {route}"
        for name, route, callback in all_routes()
        if rule_for(callback, name, route) is None
    ]
    assert not missing, (
        "Routes without an access rule (add @access or a THIRD_PARTY_ROUTES entry):\n" + "\n".join(missing)
    )


def _named_routes_to_request():
    seen = set()
    for name, route, callback in all_routes():
        if not name or name in seen or name.startswith(SKIPPED_PREFIXES):
            continue
        seen.add(name)
        yield name, route, callback
    for name in ADMIN_SAMPLES:
        yield name, name, None


def _is_login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code in (301, 302) and (
        "/accounts/login/" in location or "/admin/login/" in location
    )


@pytest.mark.django_db
def test_every_role_gets_what_the_policy_says_on_every_route(personas, client_for, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "corporate",
                    "name": "SSO",
                    "client_id": "c",
                    "secret": "s",
                    "settings": {"server_url": "http://127.0.0.1:9/"},
                }
            ]
        },
        "twitter_oauth2": {"APPS": [{"client_id": "c", "secret": "s"}]},
    }
    samples = _samples()
    clients = {role: client_for(personas[role]) for role in ROLES}
    anonymous = Client()
    problems = []
    for name, route, callback in _named_routes_to_request():
        rule = rule_for(callback, name) if callback else rule_for(None, name)
        has_args = bool(re.search(r"<\w+(:\w+)?>|\(\?P<", route))
        if name in samples:
            url = reverse(name, kwargs=samples[name](personas))
        elif has_args:
            problems.append(f"{name}: parametrised route with no entry in a tests/*/url_samples.py")
            continue
        else:
            url = reverse(name)
        response = anonymous.get(url)
        if rule.kind != "public" and not _is_login_redirect(response):
            problems.append(f"{name} anonymous: expected a sign-in redirect, got {response.status_code}")
        for role in ROLES:
            response = clients[role].get(url)
            allowed = rule.kind in ("public", "signed_in") or role in rule.roles
            # A public route may send anyone on (a flow step without its flow redirects); others must answer.
            refused = response.status_code == 403 or (rule.kind != "public" and _is_login_redirect(response))
            if allowed and refused:
                problems.append(f"{name} as {role}: expected access, got {response.status_code}")
            # Django's admin sends signed-in non-administrators to its sign-in page: a refusal too.
            if not allowed and not refused and not _is_login_redirect(response):
                problems.append(f"{name} as {role}: expected 403, got {response.status_code}")
    assert not problems, "\n".join(problems)
