"""The portal's Content-Security-Policy holds on every role's main pages in a real browser: Chromium reports
no violation on the home page, every page of each role's menu and the person menu, and the X usage page's
charts (the vendored Chart.js, fed by json_script) are drawn under the same policy.

Unlike test_every_page.py, the context keeps the policy (no ``bypass_csp``): nothing is injected into the
pages but the violation listener, which Playwright adds outside the page's own scripts.
"""

from __future__ import annotations

import pytest

from advocacy.org.models import Role
from tests.browser.test_content_security_policy import WATCH
from tests.browser.test_every_page import PERSON_MENU, ROLES, _pages_of, _sign_in, demo_bank  # noqa: F401
from tests.publishing.conftest import connect, sandbox  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART_PAGE_ROLES = {Role.COMPLIANCE, Role.ADMIN}


@pytest.fixture
def ledger(demo_bank, sandbox, connect):  # noqa: F811 - fixtures imported above
    """Ledger rows from real calls: a demo adviser's account on the sandbox publishes twice and reads its
    mentions, through tweepy."""
    from django.contrib.auth import get_user_model

    from advocacy.networks.x.network import X
    from advocacy.org.demo import DOMAIN

    account = connect(get_user_model().objects.get(email=f"adviser2@{DOMAIN}"), "hugo_csp")
    X.publish(account, "Nos conseils épargne de la semaine.")
    X.publish(account, "Le livret en agence : https://www.banque-test.fr/livret")
    X.mentions(account)
    return demo_bank


def _watch(page) -> list[str]:
    """Every violation the page reports: console messages about the policy and ``securitypolicyviolation``
    events (collected per page, read before leaving it)."""
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(WATCH)
    return console


@pytest.mark.parametrize("role", list(ROLES), ids=[ROLES[r] for r in ROLES])
def test_every_main_page_of_every_role_runs_without_a_csp_violation(browser, live_server, ledger, role):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from advocacy.org.demo import DOMAIN

    email = f"{ROLES[role]}@{DOMAIN}"
    user = get_user_model().objects.get(email=email)
    pages = _pages_of(user)
    if role == Role.ADVISER:
        pages += [(name.split(":")[-1], reverse(name)) for name in PERSON_MENU]
    usage = reverse("usage:overview")
    assert (usage in [path for _slug, path in pages]) == (role in CHART_PAGE_ROLES)

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    console = _watch(page)
    problems: list[str] = []
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        _sign_in(page, live_server, email, ledger.get(email))
        for slug, path in pages:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status < 400, f"{path}: HTTP {response.status}"
            page.wait_for_load_state("load")
            events = page.evaluate("window.__cspViolations || []")
            problems += [f"{slug}: {v}" for v in events + console]
            console.clear()
            if path == usage:
                drawn = page.evaluate(
                    """() => [...document.querySelectorAll('[data-chart]')].map((holder) =>
                         !holder.hidden && Chart.getChart(holder.querySelector('canvas')) !== undefined)"""
                )
                assert drawn == [True, True, True], f"charts not drawn under the CSP: {drawn}"
    finally:
        context.close()
    assert not problems, "\n".join(problems)
