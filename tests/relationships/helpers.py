"""What the followers, engagement, signals, prospects and team tests share: the sandbox's control routes, its
usage view, a movable clock (followers and engagement are read once a UTC day), a consented client."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from advocacy.clients.resolution import resolve_pending
from advocacy.clients.services import add_client, record_consent

LONG_TOKEN = 60 * 24 * 3600  # connect with a token that outlives the clock's moves


def control(sandbox, path: str, payload: dict) -> dict:
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=payload, timeout=10)
    response.raise_for_status()
    return response.json()


def usage(sandbox, endpoint: str) -> dict:
    """What the sandbox billed for ``endpoint`` ({"calls": n, "resources": n} or zeros)."""
    report = requests.get(f"{sandbox.url}/_sandbox/usage", timeout=5).json()["endpoints"]
    row = report.get(endpoint, {"calls": 0, "resources": 0})
    return {"calls": row["calls"], "resources": row["resources"]}


class Clock:
    """``timezone.now()`` moved forward by whole days (the sandbox keeps its own clock)."""

    def __init__(self, monkeypatch):
        self.offset = dt.timedelta()
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + self.offset)

    def advance(self, days: int = 1) -> None:
        self.offset += dt.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def consented_client(sandbox, adviser, username: str, *, ref: str, first: str, last: str):
    """A client of ``adviser`` with consent recorded and the handle resolved on the sandbox."""
    sandbox.state.add_user(username)
    client = add_client(adviser=adviser, client_ref=ref, first_name=first, last_name=last)
    record_consent(
        client, by=adviser, method="form", consent_date=dt.date(2026, 11, 30), x_handle=f"@{username}"
    )
    resolve_pending()
    client.refresh_from_db()
    assert client.x_user_id
    return client
