"""The library editor in Chromium: the job-offer fields show for the Job offer category only and the expiry
field hides then (relais.js, under the portal's Content-Security-Policy); HR's editor opens on a job offer;
a past closing date comes back with its message and every typed value kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from advocacy.content.models import ComplianceSettings, ContentItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, client):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "domain": host, "path": "/"},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_job_fields_follow_the_category_and_a_past_closing_date_keeps_what_was_typed(
    browser, live_server, hr, marketer, client_for
):
    ComplianceSettings.objects.update_or_create(pk=1, defaults={"allowed_domains": ["banque-test.fr"]})
    context, page = _signed_in(browser, live_server, client_for(marketer))
    try:
        page.goto(f"{live_server.url}/library/items/new/")
        job_fields = page.locator("#job-offer-fields")
        expiry = page.locator("[data-hide-for-category='recruitment']")
        assert job_fields.is_hidden() and expiry.is_visible()
        page.select_option("select[name=category]", "recruitment")
        assert job_fields.is_visible() and expiry.is_hidden()
        page.select_option("select[name=category]", "event")
        assert job_fields.is_hidden() and expiry.is_visible()
    finally:
        context.close()

    context, page = _signed_in(browser, live_server, client_for(hr))
    try:
        page.goto(f"{live_server.url}/library/items/new/")
        assert page.locator("#job-offer-fields").is_visible()  # HR writes job offers only
        assert page.locator("select[name=category] option").count() == 1
        page.fill("input[name=title]", "Conseiller clientèle à Lille")
        page.fill("textarea[name=text]", "Nous recrutons un conseiller clientèle à Lille : postulez !")
        page.fill("input[name=link_url]", "https://carrieres.banque-test.fr/REQ-7")
        page.fill("input[name=job_reference]", "REQ-7")
        page.fill("input[name=place]", "Lille")
        page.select_option("select[name=contract_type]", "fixed_term")
        page.fill("input[name=closes_on]", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
        page.click("button[value=save]")
        page.wait_for_load_state()
        assert "La date de clôture est passée" in page.content()
        assert page.input_value("input[name=job_reference]") == "REQ-7"
        assert page.input_value("input[name=place]") == "Lille"
        assert page.input_value("select[name=contract_type]") == "fixed_term"
        assert "Nous recrutons un conseiller" in page.input_value("textarea[name=text]")
        assert page.locator("#job-offer-fields").is_visible()
        assert not ContentItem.objects.exists()
    finally:
        context.close()
