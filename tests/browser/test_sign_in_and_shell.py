"""A person in a real browser: signs in as each role (with a TOTP code where required), sees their
navigation, switches language, and the pages are screenshotted under var/screenshots/."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from advocacy.org.models import Role
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import PASSWORD, clear_of_totp_period_end

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_totp(secret: str) -> str:
    clear_of_totp_period_end()
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    if "/2fa/authenticate" in page.url:
        page.fill("input[name=code]", current_totp(user.totp_secret))
        page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")


ROLE_CASES = [
    (Role.ADVISER, "adviser"),
    (Role.BRANCH_MANAGER, "branch_manager"),
    (Role.REGIONAL_MANAGER, "regional_manager"),
    (Role.COMPLIANCE, "compliance"),
    (Role.MARKETING, "marketing"),
    (Role.HR, "hr"),
    (Role.ADMIN, "admin"),
]


@pytest.mark.parametrize(("role", "label"), ROLE_CASES)
def test_each_role_signs_in_and_lands_on_its_home_page(page, live_server, personas, screenshot, role, label):
    user = personas[role]
    sign_in(page, live_server, user)
    assert page.locator("main h1").inner_text().startswith("Bonjour")
    assert page.locator("nav[aria-label]").is_visible()
    screenshot(f"home-{label}-fr")


def test_a_person_switches_the_interface_to_english_and_back(page, live_server, personas, screenshot):
    adviser = personas[Role.ADVISER]
    sign_in(page, live_server, adviser)
    assert page.locator("html").get_attribute("lang") == "fr"
    page.select_option("#language-select", "en")
    page.locator("html[lang=en]").wait_for(state="attached")  # no string predicates: the CSP refuses eval
    assert page.locator("main h1").inner_text().startswith("Hello")
    screenshot("home-adviser-en")
    page.select_option("#language-select", "fr")
    page.locator("html[lang=fr]").wait_for(state="attached")
    assert page.locator("main h1").inner_text().startswith("Bonjour")


def test_the_sign_in_page_is_keyboard_usable_and_refuses_a_wrong_password(
    page, live_server, adviser, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot("sign-in-fr")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.fill("input[name=login]", adviser.email)
    page.fill("input[name=password]", "wrong-password")
    page.locator("form button[type=submit]").last.click()
    assert "/accounts/login/" in page.url
    assert (
        page.locator(".errorlist, [role=alert], .alert").count() > 0 or "incorrect" in page.content().lower()
    )


def test_a_compliance_officer_without_a_second_factor_only_reaches_enrolment(
    page, live_server, make_staff, screenshot
):
    officer = make_staff(Role.COMPLIANCE, branch=None, enrol_mfa=False)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", officer.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    # allauth asks for the password again before showing the enrolment page.
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    if "reauthenticate" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/2fa/totp/activate/**")
    assert page.locator("img, svg").count() > 0  # the QR code to scan
    page.goto(f"{live_server.url}/")
    assert "/2fa/totp/activate/" in page.url or "/reauthenticate/" in page.url
    screenshot("mfa-enrolment-fr")


def test_the_portal_is_usable_on_a_phone(browser, live_server, personas):
    adviser = personas[Role.ADVISER]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    phone = context.new_page()
    sign_in(phone, live_server, adviser)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone ({width}px)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "home-adviser-phone.png"), full_page=True)
    context.close()
