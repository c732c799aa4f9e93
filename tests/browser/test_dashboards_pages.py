"""The team, campaign and compliance results looked at in Chromium: 1280 and 390 px wide, in French and in
English, with figures seeded through the real flow (the dashboards tests' fixtures: sandbox metrics, /l/
clicks, a campaign fan-out with variants, the review workflow). Each page draws its charts (a canvas per
chart, under the portal's Content-Security-Policy), keeps its tables, does not scroll sideways and passes
axe-core's serious and critical WCAG 2.1 AA checks. Screenshots land in ``RELAIS_SCREENSHOTS`` (or a
temporary folder whose path the test prints)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.test_every_page import AXE, _look
from tests.dashboards.test_campaigns import campaign_run  # noqa: F401 - fixture
from tests.dashboards.test_compliance import reviewed  # noqa: F401 - fixture
from tests.dashboards.test_team import clock, south  # noqa: F401 - fixtures
from tests.publishing.conftest import _empty_click_buffer, connect, make_item, sandbox  # noqa: F401 - fixtures
from tests.review.conftest import _fresh_lexicon_cache, test_pack  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_context(browser, live_server, client, *, width: int, language: str, bypass_csp: bool):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=language, bypass_csp=bypass_csp
    )
    host = live_server.url.split("//", 1)[1].split(":")[0]
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
        ]
    )
    return context


def test_the_results_pages_fit_a_phone_and_a_desktop_in_both_languages(
    browser, live_server, south, campaign_run, reviewed, regional_manager, marketer, compliance_officer,  # noqa: F811
    adviser2, client_for,
):  # fmt: skip
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    folder = Path(os.environ.get("RELAIS_SCREENSHOTS") or tempfile.mkdtemp(prefix="relais-dashboards-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the results pages: {folder}")
    campaign = campaign_run["campaign"]
    pages = [
        (regional_manager, "team", "/results/team/?days=7"),
        (regional_manager, "team-adviser", f"/results/team/{adviser2.pk}/?days=7"),
        (marketer, "campaigns", "/results/campaigns/?days=7"),
        (marketer, "campaign", f"/results/campaigns/{campaign.pk}/?days=7"),
        (compliance_officer, "compliance", "/results/compliance/?days=7"),
    ]
    problems = []
    for user, name, path in pages:
        client = client_for(user)
        for language in ("fr", "en"):
            user.staff.language = language
            user.staff.save(update_fields=["language"])
            # Under the portal's policy: the charts draw (a canvas each) with no console error.
            context = _signed_in_context(
                browser, live_server, client, width=1280, language=language, bypass_csp=False
            )
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            canvases, tables = page.locator("canvas").count(), page.locator("table").count()
            if canvases == 0 or tables < canvases:
                problems.append(f"{name}-{language}: {canvases} charts, {tables} tables")
            if page.locator("html").get_attribute("lang") != language:
                problems.append(f"{name}-{language}: page not in {language}")
            problems += [f"{name}-{language}: console error {e}" for e in errors]
            context.close()
            # bypass_csp only so that axe-core (the test's own script) can be injected.
            for width in (1280, 390):
                context = _signed_in_context(
                    browser, live_server, client, width=width, language=language, bypass_csp=True
                )
                page = context.new_page()
                problems += _look(
                    page,
                    live_server.url + path,
                    name=f"{name}-{language}-{width}",
                    shots=folder,
                    axe=str(AXE),
                )
                context.close()
    assert not problems, "\n".join(problems)
