"""Every page of every role's navigation, looked at: 1280 px and 390 px wide, in French and in English.

For each page the test fails on sideways scrolling (the page wider than the window) and on any serious or
critical WCAG 2.1 AA violation that axe-core finds. axe-core is installed from npm for the tests only
(``package.json``, ``npm ci`` in ``make install``) and is never served to users. The pages are those of the
demo bank (``seed_demo``'s organisation and content, plus a few shares), so the tables have rows.

Screenshots of every page land in a temporary folder whose path the test prints.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from advocacy.org.models import Role
from tests.browser.test_sign_in_and_shell import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
LANGUAGES = ("fr", "en")
# One demo person per role (seed_demo's staff).
ROLES = {
    Role.ADVISER: "adviser",
    Role.BRANCH_MANAGER: "manager",
    Role.REGIONAL_MANAGER: "regional",
    Role.COMPLIANCE: "compliance",
    Role.MARKETING: "marketing",
    Role.HR: "hr",
    Role.ADMIN: "admin",
}
# The pages everybody reaches from the person menu, looked at once (as the adviser).
PERSON_MENU = ("accounts:preferences", "account_change_password", "mfa_index")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def shots():
    folder = Path(os.environ.get("RELAIS_SCREENSHOTS") or tempfile.mkdtemp(prefix="relais-every-page-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of every page: {folder}")
    return folder


@pytest.fixture
def axe_script():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE} missing): run make install (npm ci)"
        if os.environ.get("RELAIS_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return str(AXE)


@pytest.fixture
def demo_bank(transactional_db, settings):
    """The demo organisation and library, and shares in several states for the first adviser."""
    import importlib

    from django.apps import apps

    importlib.import_module("compliance.review.migrations.0002_default_packs").load_defaults(apps, None)
    from advocacy.content.demo import seed_content
    from advocacy.org.demo import DOMAIN, seed_organisation

    secrets = seed_organisation()
    seed_content()
    _demo_shares(f"adviser@{DOMAIN}")
    return secrets


def _demo_shares(email: str) -> None:
    """Two scheduled shares and a cancelled one, made through the share engine."""
    from django.contrib.auth import get_user_model

    from advocacy.content.models import ContentItem, ItemStatus
    from advocacy.networks.x.models import XAccount
    from advocacy.shares.scheduling import cancel_share, schedule_share

    user = get_user_model().objects.get(email=email)
    XAccount.objects.get_or_create(
        user=user,
        defaults={
            "x_user_id": "990001",
            "username": "camille_demo",
            "status": XAccount.Status.CONNECTED,
            "connected_at": timezone.now(),
        },
    )
    items = ContentItem.objects.filter(status=ItemStatus.APPROVED).order_by("pk")[:3]
    when = timezone.now() + timedelta(days=2)
    shares = [schedule_share(adviser=user, item=item, when=when, actor=user) for item in items]
    cancel_share(share=shares[-1], actor=user, reason="")


def _sign_in(page, live_server, email: str, secret: str | None) -> None:
    from advocacy.org.demo import DEMO_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    if "/2fa/authenticate" in page.url:
        page.fill("input[name=code]", current_totp(secret))
        page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")


def _switch_language(page, language: str) -> None:
    if page.locator("html").get_attribute("lang") != language:
        page.select_option("#language-select", language)
        page.locator(f"html[lang={language}]").wait_for(state="attached")


def _look(page, url: str | None, *, name: str, shots: Path, axe: str) -> list[str]:
    """Open ``url`` (None: the page as it is) and say what is wrong with it: sideways scrolling, serious or
    critical axe findings."""
    problems = []
    if url is not None:
        response = page.goto(url)
        if response is None or response.status >= 400:
            return [f"{name}: HTTP {response.status if response else '?'}"]
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        wide = page.evaluate(
            """(inner) => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > inner + 1)
                 .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
            inner,
        )
        problems.append(f"{name}: {scroll} px wide in a {inner} px window ({', '.join(wide)})")
    page.add_script_tag(path=axe)
    result = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], f"{name}: axe-core checked nothing"
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [json.dumps(node["target"]) for node in violation["nodes"][:3]]
            problems.append(f"{name}: axe {violation['id']} ({violation['impact']}): {', '.join(targets)}")
    return problems


def _pages_of(user) -> list[tuple[str, str]]:
    from advocacy.portal.navigation import menu_for

    return [("home", "/")] + [(link.url.strip("/").replace("/", "-"), link.url) for link in menu_for(user)]


@pytest.mark.parametrize("role", list(ROLES), ids=[ROLES[r] for r in ROLES])
def test_every_page_of_the_navigation_fits_a_phone_and_a_desktop_and_passes_axe(
    browser, live_server, demo_bank, shots, axe_script, role
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from advocacy.org.demo import DOMAIN

    email = f"{ROLES[role]}@{DOMAIN}"
    user = get_user_model().objects.get(email=email)
    pages = _pages_of(user)
    if role == Role.ADVISER:
        pages += [(name.split(":")[-1], reverse(name)) for name in PERSON_MENU]
    if role == Role.COMPLIANCE:  # the archive's verification pages, behind its tabs: a finished run
        from compliance.archive.verification_runs import run_verification

        run, _result = run_verification(trigger="nightly")
        pages += [
            ("archive-verifications", reverse("archive:verifications")),
            ("archive-verification", reverse("archive:verification", args=[run.pk])),
        ]
    # bypass_csp: axe-core is injected as a script of the test's own, which the portal's CSP rightly refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    started = time.monotonic()
    problems: list[str] = []
    try:
        _sign_in(page, live_server, email, demo_bank.get(email))
        for language in LANGUAGES:
            page.set_viewport_size({"width": WIDTHS[0], "height": 860})  # on a phone it is behind "Menu"
            page.goto(f"{live_server.url}/")  # the portal's own switch (Django's admin has none)
            _switch_language(page, language)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 860})
                for slug, path in pages:
                    name = f"{ROLES[role]}-{language}-{width}-{slug or 'home'}"
                    problems += _look(page, live_server.url + path, name=name, shots=shots, axe=axe_script)
                if width < 640:  # the phone's menu, opened (a checkbox: no JavaScript needed)
                    page.goto(f"{live_server.url}/")
                    page.click("label.nav-toggle-label")
                    assert page.locator("nav.mainnav").is_visible()
                    name = f"{ROLES[role]}-{language}-{width}-home-menu"
                    problems += _look(page, None, name=name, shots=shots, axe=axe_script)
    finally:
        context.close()
    print(f"{ROLES[role]}: {len(pages)} pages x 4 in {time.monotonic() - started:.1f}s")
    assert not problems, "\n".join(problems)
