"""The lists that grow with a bank's history cost the same queries for a short and a long history (issue 13):
campaigns, roster imports, archive exports and legal holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.accounts.models import RosterImport
from compliance.archive.models import ArchiveExport, LegalHold

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _imports(user, count: int) -> None:
    RosterImport.objects.bulk_create(
        [
            RosterImport(uploaded_by=user, original_filename="r.csv", content=b"x", sha256="0" * 64)
            for _ in range(count)
        ]
    )


def _exports(user, count: int) -> None:
    today = timezone.now().date()
    ArchiveExport.objects.bulk_create(
        [
            ArchiveExport(
                requested_by_id=user.pk, requested_by_email=user.email, date_from=today, date_to=today
            )
            for _ in range(count)
        ]
    )


def _holds(user, count: int) -> None:
    LegalHold.objects.bulk_create(
        [LegalHold(user_id=user.pk, user_email=user.email, reason="dossier") for _ in range(count)]
    )


def test_roster_imports_cost_the_same_queries_for_3_or_80_imports(hr, client_for):
    client = client_for(hr)
    url = reverse("accounts:roster")
    _imports(hr, 3)
    client.get(url)
    few = _queries(client, url)
    _imports(hr, 77)
    assert _queries(client, url) == few


def test_exports_and_legal_holds_cost_the_same_queries_for_3_or_80_rows(compliance_officer, client_for):
    client = client_for(compliance_officer)
    for make, url in ((_exports, reverse("archive:exports")), (_holds, reverse("archive:legal_holds"))):
        make(compliance_officer, 3)
        client.get(url)
        few = _queries(client, url)
        make(compliance_officer, 77)
        assert _queries(client, url) == few, url


def test_the_campaign_list_costs_the_same_queries_for_3_or_80_campaigns(marketer, client_for):
    from advocacy.campaigns.models import Campaign
    from advocacy.content.models import ContentItem

    item = ContentItem.objects.create(
        title="Livret", category="market_news", origin="library", author=marketer
    )
    now = timezone.now()

    def campaigns(count: int) -> None:
        Campaign.objects.bulk_create(
            [
                Campaign(
                    item=item,
                    name=f"C{n}",
                    starts_at=now,
                    ends_at=now + dt.timedelta(days=1),
                    created_by=marketer,
                )
                for n in range(count)
            ]
        )

    client = client_for(marketer)
    url = reverse("campaigns:list")
    campaigns(3)
    client.get(url)
    few = _queries(client, url)
    campaigns(77)
    assert _queries(client, url) == few
