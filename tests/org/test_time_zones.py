"""Each member of staff has a time zone: blank for the bank's, else an IANA name the server knows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from advocacy.org.models import StaffProfile
from advocacy.org.selectors import roles_of, time_zone_of
from advocacy.org.services import set_preferences
from advocacy.org.timezones import canonical_time_zone, utc_offset
from advocacy.portal.middleware import StaffTimeZoneMiddleware

pytestmark = pytest.mark.django_db


def test_a_profile_accepts_an_iana_name_or_nothing_and_refuses_anything_else(adviser):
    profile = StaffProfile.objects.get(user=adviser)
    for good in ("", "Asia/Tokyo", "America/Argentina/Buenos_Aires", "UTC"):
        profile.time_zone = good
        profile.full_clean()
    for bad in ("Mars/Olympus", "asia/tokyo", "localtime", "+02:00"):
        profile.time_zone = bad
        with pytest.raises(ValidationError) as refused:
            profile.full_clean()
        assert "is not a time zone we know" in str(refused.value)


def test_without_a_zone_of_their_own_staff_are_on_the_banks(adviser, settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert time_zone_of(adviser) == zoneinfo.ZoneInfo("Europe/Paris")


def test_the_zone_and_the_roles_are_read_in_one_query(adviser, django_assert_num_queries):
    StaffProfile.objects.filter(user=adviser).update(time_zone="Asia/Tokyo")
    with django_assert_num_queries(1):
        assert time_zone_of(adviser) == zoneinfo.ZoneInfo("Asia/Tokyo")
        assert roles_of(adviser) == {"adviser"}


def test_changing_ones_preferences_is_seen_at_once(adviser, settings):
    assert str(time_zone_of(adviser)) == settings.TIME_ZONE
    set_preferences(profile=adviser.staff, language="fr", time_zone="Asia/Tokyo")
    assert str(time_zone_of(adviser)) == "Asia/Tokyo"


def test_preferences_refuse_an_unknown_zone(adviser):
    with pytest.raises(ValidationError):
        set_preferences(profile=adviser.staff, language="en", time_zone="Nowhere/Atlantis")
    assert StaffProfile.objects.get(user=adviser).time_zone == ""


def test_roster_spellings_are_matched_whatever_their_case():
    assert canonical_time_zone(" europe/PARIS ") == "Europe/Paris"
    assert canonical_time_zone("Atlantis") is None


def test_offsets_read_as_people_write_them():
    moment = dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)
    assert utc_offset(moment.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))) == "UTC+05:30"
    assert utc_offset(moment.astimezone(zoneinfo.ZoneInfo("America/New_York"))) == "UTC-05:00"
    assert utc_offset(moment) == "UTC+00:00"


def _zone_during_request(user) -> str:
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = RequestFactory().get("/")
    request.user = user
    StaffTimeZoneMiddleware(view)(request)
    return seen["zone"]


def test_a_signed_in_persons_requests_run_in_their_zone_and_the_zone_ends_with_the_request(adviser, settings):
    from django.contrib.auth.models import AnonymousUser

    StaffProfile.objects.filter(user=adviser).update(time_zone="Asia/Tokyo")
    assert _zone_during_request(adviser) == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
    assert _zone_during_request(AnonymousUser()) == settings.TIME_ZONE
