"""Advisers schedule in their own time zone (Preferences), and daylight saving time never surprises them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from advocacy.org.models import StaffProfile
from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def connected(adviser, connect):
    return connect(adviser, "camille_x")


def _in_zone(user, name: str) -> None:
    StaffProfile.objects.filter(user=user).update(time_zone=name)


def _last_sunday(year: int, month: int) -> dt.date:
    """Europe switches to summer time on the last Sunday of March and back on the last Sunday of October."""
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def _next_year() -> int:
    return timezone.now().year + 1


def _schedule(client, item, local: str):
    return client.post(reverse("shares:share", args=[item.pk]), {"schedule": "1", "when": local})


def _short(moment: dt.datetime) -> str:
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def test_a_tokyo_adviser_scheduling_9_am_local_gets_a_share_due_at_midnight_utc(
    sandbox, adviser, connected, make_item, client_for
):
    item = make_item()
    client = client_for(adviser)
    client.post(reverse("accounts:preferences"), {"language": "en", "time_zone": "Asia/Tokyo"})
    page = client.get(reverse("shares:share", args=[item.pk])).content.decode()
    assert "Your local time (Asia/Tokyo)." in page
    assert f'href="{reverse("accounts:preferences")}"' in page

    day = (timezone.now() + dt.timedelta(days=30)).date()
    response = _schedule(client, item, f"{day:%Y-%m-%d}T09:00")

    assert response.status_code == 302
    share = Share.objects.get(adviser=adviser)
    assert share.scheduled_for == dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
    shown = client.get(response["Location"]).content.decode()
    nine_am = _short(dt.datetime.combine(day, dt.time(9, 0)))
    assert f"Scheduled for {nine_am} (UTC+09:00), Asia/Tokyo time." in shown


def test_a_time_skipped_when_the_clocks_go_forward_is_refused_and_nothing_is_scheduled(
    sandbox, adviser, connected, make_item, client_for
):
    _in_zone(adviser, "Europe/Paris")
    item = make_item()
    client = client_for(adviser)
    day = _last_sunday(_next_year(), 3)

    response = _schedule(client, item, f"{day:%Y-%m-%d}T02:30")

    assert response.status_code == 200
    message = response.context["form"].errors["when"][0]
    assert message == (
        f"{_short(dt.datetime.combine(day, dt.time(2, 30)))} does not exist in Europe/Paris: "
        "the clocks go forward at that moment. Choose another time."
    )
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Share.objects.exists()


def test_the_skipped_time_of_the_brief_is_refused_too(sandbox, adviser, connected, make_item, client_for):
    """2027-03-28 02:30 in Paris never happens, whether or not that day is still to come."""
    _in_zone(adviser, "Europe/Paris")
    response = _schedule(client_for(adviser), make_item(), "2027-03-28T02:30")
    assert "does not exist in Europe/Paris" in response.content.decode()
    assert not Share.objects.exists()


def test_a_time_that_occurs_twice_when_the_clocks_go_back_is_the_first_one_and_the_page_says_so(
    sandbox, adviser, connected, make_item, client_for, settings
):
    settings.SHARE_SCHEDULE_HORIZON_DAYS = 400  # the next time the clocks go back may be months away
    _in_zone(adviser, "Europe/Paris")
    client = client_for(adviser)
    day = _last_sunday(_next_year(), 10)

    response = _schedule(client, make_item(), f"{day:%Y-%m-%d}T02:30")

    assert response.status_code == 302
    share = Share.objects.get(adviser=adviser)
    # 02:30 summer time (UTC+02:00) comes first; 02:30 winter time (UTC+01:00) an hour later.
    assert share.scheduled_for == dt.datetime.combine(day, dt.time(0, 30), tzinfo=dt.UTC)
    shown = client.get(response["Location"]).content.decode()
    assert f"Scheduled for {_short(dt.datetime.combine(day, dt.time(2, 30)))} (UTC+02:00)" in shown
    assert "That time occurs twice when the clocks go back; the first one (UTC+02:00) is used." in shown


def test_share_now_ignores_a_date_left_in_the_field(sandbox, adviser, connected, make_item, client_for):
    _in_zone(adviser, "Europe/Paris")
    item = make_item()
    response = client_for(adviser).post(
        reverse("shares:share", args=[item.pk]), {"now": "1", "when": "2027-03-28T02:30"}
    )
    assert response.status_code == 302
    assert Share.objects.filter(adviser=adviser).count() == 1


def test_my_shares_shows_times_in_the_advisers_time_zone(sandbox, adviser, connected, make_item, client_for):
    _in_zone(adviser, "Asia/Tokyo")
    when = (timezone.now() + dt.timedelta(days=3)).replace(hour=23, minute=15, second=0, microsecond=0)
    services.schedule_share(adviser=adviser, item=make_item(), when=when, actor=adviser)

    page = client_for(adviser).get(reverse("shares:my_shares")).content.decode()

    assert "Times are shown in your time zone, Asia/Tokyo." in page
    assert f"{_short(when.astimezone(TOKYO))} <span" in page
    assert "(UTC+09:00)" in page
    assert _short(when.astimezone(PARIS)) not in page


def test_rescheduling_a_failed_share_reads_the_time_in_the_advisers_zone(
    sandbox, adviser, connected, make_item, client_for
):
    _in_zone(adviser, "Asia/Tokyo")
    first = services.schedule_share(
        adviser=adviser, item=make_item(), when=timezone.now() + dt.timedelta(hours=1), actor=adviser
    )
    Share.objects.filter(pk=first.pk).update(status=Share.Status.FAILED, last_error="X was down.")
    client = client_for(adviser)
    day = (timezone.now() + dt.timedelta(days=10)).date()

    response = client.post(
        reverse("shares:reschedule", args=[first.pk]), {"when": f"{day:%Y-%m-%d}T09:00"}
    )

    again = Share.objects.exclude(pk=first.pk).get()
    assert again.scheduled_for == dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)
    shown = client.get(response["Location"]).content.decode()
    assert "(UTC+09:00), Asia/Tokyo time." in shown


def test_rescheduling_at_a_skipped_time_is_refused(sandbox, adviser, connected, make_item, client_for):
    _in_zone(adviser, "Europe/Paris")
    first = services.schedule_share(
        adviser=adviser, item=make_item(), when=timezone.now() + dt.timedelta(hours=1), actor=adviser
    )
    Share.objects.filter(pk=first.pk).update(status=Share.Status.FAILED)
    client = client_for(adviser)

    response = client.post(reverse("shares:reschedule", args=[first.pk]), {"when": "2027-03-28T02:30"})

    assert Share.objects.count() == 1
    assert "does not exist in Europe/Paris" in client.get(response["Location"]).content.decode()


def test_an_adviser_without_a_time_zone_of_their_own_schedules_in_the_banks(
    sandbox, adviser, connected, make_item, client_for, settings
):
    settings.TIME_ZONE = "America/New_York"
    day = (timezone.now() + dt.timedelta(days=30)).date()
    client = client_for(adviser)

    _schedule(client, make_item(), f"{day:%Y-%m-%d}T09:00")

    expected = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert Share.objects.get().scheduled_for == expected
