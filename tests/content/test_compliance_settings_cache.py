"""The compliance settings row is kept in the cache (issue 13: the library read it on every view) and
forgotten on every save, so a change shows on the next read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.content.models import ComplianceSettings

pytestmark = pytest.mark.django_db


def _settings_reads(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return sum('"content_compliancesettings"' in q["sql"] for q in queries)


def test_the_library_does_not_read_the_settings_row_once_cached(adviser, client_for):
    client = client_for(adviser)
    client.get(reverse("content:library"))
    assert _settings_reads(lambda: client.get(reverse("content:library"))) == 0


def test_a_saved_change_is_read_at_once(db):
    assert ComplianceSettings.current().max_weighted_length == 280
    ComplianceSettings.objects.update_or_create(pk=1, defaults={"max_weighted_length": 200})
    assert ComplianceSettings.current().max_weighted_length == 200
    row = ComplianceSettings.current()
    row.allowed_domains = ["banque.example"]
    row.save()
    assert ComplianceSettings.current().allowed_domains == ["banque.example"]
    assert _settings_reads(ComplianceSettings.current) == 0
    ComplianceSettings.objects.get(pk=1).delete()
    assert ComplianceSettings.current().max_weighted_length == 280  # re-created with the defaults
