"""Campaign tests use the publishing fixtures: the X sandbox, sandbox-connected accounts, approved items."""

import datetime as dt

import pytest
from django.utils import timezone

from advocacy.campaigns.models import AutoShareOptIn
from advocacy.org.models import Role
from tests.publishing import conftest as publishing

sandbox = publishing.sandbox
connect = publishing.connect
make_item = publishing.make_item
_empty_click_buffer = publishing._empty_click_buffer


@pytest.fixture
def team(make_staff, connect):
    """``team(n, opted_in=..., connected=...)``: n advisers in Lille named A0..An-1, optionally opted in to
    auto-share "market_news" and connected to the sandbox."""

    def make(n, *, opted_in=True, connected=True, branch="lille", prefix="A"):
        people = []
        for i in range(n):
            person = make_staff(Role.ADVISER, branch=branch, first_name=f"{prefix}{i}")
            if opted_in:
                AutoShareOptIn.objects.create(adviser=person, category="market_news")
            if connected:
                connect(person, f"{prefix.lower()}{i}_{person.pk}")
            people.append(person)
        return people

    return make


@pytest.fixture
def window():
    now = timezone.now().replace(microsecond=0)
    return now + dt.timedelta(hours=1), now + dt.timedelta(hours=11)


@pytest.fixture
def launched(marketer, window, django_capture_on_commit_callbacks):
    """Create and launch a campaign; the fan-out task runs (eagerly) on commit. Returns the campaign."""
    from advocacy.campaigns import lifecycle

    def make(item, **kwargs):
        campaign = lifecycle.create_campaign(
            item=item, starts_at=window[0], ends_at=window[1], actor=marketer, **kwargs
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert lifecycle.launch_campaign(campaign=campaign, actor=marketer)
        campaign.refresh_from_db()
        return campaign

    return make
