"""Preferences: each member of staff picks their language and time zone, from the user menu."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from advocacy.org.models import Role, StaffProfile
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("accounts:preferences")


def _profile(user) -> StaffProfile:
    return StaffProfile.objects.get(user=user)


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def test_every_member_of_staff_finds_preferences_in_the_user_menu(personas, client_for):
    for role in (Role.ADVISER, Role.BRANCH_MANAGER, Role.COMPLIANCE, Role.MARKETING, Role.HR, Role.ADMIN):
        home = client_for(personas[role]).get(reverse("portal:home")).content.decode()
        assert f'<a href="{URL}">Preferences</a>' in home, role
        assert client_for(personas[role]).get(URL).status_code == 200, role


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_saving_a_time_zone_and_a_language_keeps_both_and_switches_the_language_at_once(adviser, client_for):
    client = client_for(adviser)
    response = client.post(URL, {"language": "fr", "time_zone": "Asia/Tokyo"})

    assert response.status_code == 302 and response["Location"] == URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    profile = _profile(adviser)
    assert (profile.language, profile.time_zone) == ("fr", "Asia/Tokyo")
    page = client.get(URL).content.decode()
    assert '<html lang="fr">' in page
    saved = (
        "Vos préférences sont enregistrées. Les heures sont désormais affichées dans le fuseau Asia/Tokyo."
    )
    assert saved in page
    assert _selected(page, "time_zone") == "Asia/Tokyo"
    assert _selected(page, "language") == "fr"


def test_a_time_zone_that_does_not_exist_is_refused_and_nothing_is_saved(adviser, client_for):
    response = client_for(adviser).post(URL, {"language": "fr", "time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone we know." in response.content.decode()
    profile = _profile(adviser)
    assert (profile.language, profile.time_zone) == ("en", "")


def test_the_servers_own_local_zone_is_not_a_choice(adviser, client_for):
    response = client_for(adviser).post(URL, {"language": "en", "time_zone": "localtime"})
    assert "is not a time zone we know" in response.content.decode()
    assert _profile(adviser).time_zone == ""


def test_an_unknown_language_is_refused(adviser, client_for):
    response = client_for(adviser).post(URL, {"language": "de", "time_zone": "Europe/Berlin"})
    assert response.status_code == 200
    assert _profile(adviser).time_zone == ""


def test_the_banks_time_zone_comes_first_then_common_zones_then_every_zone_by_region(adviser, client_for):
    page = client_for(adviser).get(URL).content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', select)
    groups = re.findall(r'<optgroup label="([^"]*)"', select)

    assert values[0] == "" and _selected(page, "time_zone") == ""
    assert f"The bank&#x27;s time zone: {settings.TIME_ZONE.replace('_', ' ')}" in select
    assert groups[:3] == ["Common", "Europe", "Americas"]
    assert values[1:4] == ["Europe/Paris", "Europe/London", "Europe/Brussels"]
    assert "America/New_York" in values[1:30] and "Asia/Tokyo" in values[1:30]
    assert "Pacific/Chatham" in values  # and the whole IANA list after them
    assert re.search(r">Asia/Tokyo \(UTC\+09:00\)<", select)


def test_going_back_to_the_banks_time_zone_clears_the_personal_one(adviser, client_for):
    StaffProfile.objects.filter(user=adviser).update(time_zone="Asia/Tokyo")
    client_for(adviser).post(URL, {"language": "en", "time_zone": ""})
    assert _profile(adviser).time_zone == ""


def test_a_legacy_zone_name_from_the_roster_is_shown_as_chosen(adviser, client_for):
    StaffProfile.objects.filter(user=adviser).update(time_zone="US/Eastern")
    page = client_for(adviser).get(URL).content.decode()
    assert _selected(page, "time_zone") == "US/Eastern"


def test_the_header_language_switch_and_the_preferences_page_agree(adviser, client_for):
    client = client_for(adviser)
    client.post(reverse("set_language"), {"language": "fr", "next": URL})
    assert _profile(adviser).language == "fr"
    assert _selected(client.get(URL).content.decode(), "language") == "fr"


def test_the_new_time_zone_applies_from_the_next_sign_in_too(adviser, client_for):
    client_for(adviser).post(URL, {"language": "en", "time_zone": "America/New_York"})

    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.post(reverse("account_login"), {"login": adviser.email, "password": PASSWORD})
    page = browser.get(reverse("shares:my_shares")).content.decode()
    assert "Times are shown in your time zone, America/New_York." in page


def test_an_account_without_a_staff_profile_has_no_preferences_page(db, client_for):
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user("root@bank.test", "root@bank.test", PASSWORD)
    assert client_for(loner).get(URL).status_code == 404
