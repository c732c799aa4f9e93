"""The review queue: oldest first, filtered by category, branch, age and findings, at a fixed query cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.content.models import ContentVersion
from compliance.review import selectors
from tests.review.factories import submitted_version

pytestmark = pytest.mark.django_db


def _age(version, hours):
    field = selectors._waiting_since_field()
    ContentVersion.objects.filter(pk=version.pk).update(**{field: timezone.now() - timedelta(hours=hours)})


def _titles(response):
    return [row["title"] for row in response.context["rows"]]


def test_the_queue_lists_waiting_versions_oldest_first(adviser, adviser2, compliance_officer, client_for):
    recent = submitted_version(adviser, title="Récent")
    old = submitted_version(adviser2, title="Ancien")
    _age(recent, 2)
    _age(old, 30)
    response = client_for(compliance_officer).get(reverse("review:queue"))
    assert _titles(response) == ["Ancien", "Récent"]
    row = response.context["rows"][0]
    assert row["overdue"] is True and row["age_hours"] == 30
    assert response.context["rows"][1]["overdue"] is False


def test_the_queue_filters_by_category_branch_and_age(adviser, adviser2, org, compliance_officer, client_for):
    lille_product = submitted_version(adviser, title="Lille produit", category="event")
    nice_news = submitted_version(adviser2, title="Nice actu", category="corporate")
    _age(lille_product, 1)
    _age(nice_news, 50)
    client = client_for(compliance_officer)
    url = reverse("review:queue")
    assert _titles(client.get(url, {"category": "event"})) == ["Lille produit"]
    assert _titles(client.get(url, {"branch": org["nice"].pk})) == ["Nice actu"]
    assert _titles(client.get(url, {"age": 24})) == ["Nice actu"]
    assert _titles(client.get(url, {"age": "not-a-number"})) == ["Nice actu", "Lille produit"]


def test_the_queue_filters_by_severity_of_stored_findings(adviser, compliance_officer, client_for):
    blocked = submitted_version(adviser, title="Bloqué")
    clean = submitted_version(adviser, title="Propre")
    ContentVersion.objects.filter(pk=blocked.pk).update(
        findings=[{"severity": "block", "code": "lexicon.match"}]
    )
    ContentVersion.objects.filter(pk=clean.pk).update(findings=[])
    client = client_for(compliance_officer)
    assert _titles(client.get(reverse("review:queue"), {"severity": "block"})) == ["Bloqué"]
    assert _titles(client.get(reverse("review:queue"), {"severity": "none"})) == ["Propre"]


def _queue_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("review:queue"), params).status_code == 200
    return len(queries)


def test_the_query_count_of_the_queue_does_not_grow_with_the_number_of_items(
    adviser, adviser2, compliance_officer, client_for
):
    client = client_for(compliance_officer)
    submitted_version(adviser)
    few = _queue_queries(client)
    few_filtered = _queue_queries(client, severity="block", category="corporate")
    for n in range(12):
        submitted_version(adviser if n % 2 else adviser2, title=f"Item {n}")
    assert _queue_queries(client) == few
    assert _queue_queries(client, severity="block", category="corporate") == few_filtered


def test_the_queue_is_paginated(adviser, compliance_officer, client_for, monkeypatch):
    monkeypatch.setattr("compliance.review.views.QUEUE_PAGE_SIZE", 2)
    for n in range(5):
        submitted_version(adviser, title=f"Item {n}")
    client = client_for(compliance_officer)
    first = client.get(reverse("review:queue"))
    assert len(first.context["rows"]) == 2
    assert "page=2" in first.content.decode()
    assert len(client.get(reverse("review:queue"), {"page": 3}).context["rows"]) == 1


def test_the_age_target_comes_from_settings(adviser, compliance_officer, client_for, settings):
    settings.REVIEW_AGE_TARGET_HOURS = 4
    version = submitted_version(adviser)
    _age(version, 5)
    response = client_for(compliance_officer).get(reverse("review:queue"))
    assert response.context["target_hours"] == 4
    assert response.context["rows"][0]["overdue"] is True


def test_the_home_page_of_a_compliance_officer_shows_the_queue_panel(adviser, compliance_officer, client_for):
    _age(submitted_version(adviser), 30)
    html = client_for(compliance_officer).get(reverse("portal:home")).content.decode()
    assert 'id="review-panel-title"' in html
    assert reverse("review:queue") in html


def test_the_branch_filter_lists_every_branch_escaped_with_the_chosen_one_selected(
    adviser, org, compliance_officer, client_for
):
    from advocacy.org.models import Branch

    odd = Branch.objects.create(
        region=org["north"], code="ODD01", name='Roubaix <"Nord"> & Co', city="Roubaix"
    )
    client = client_for(compliance_officer)
    page = client.get(reverse("review:queue"), {"branch": odd.pk}).content.decode()
    assert f'<option value="{odd.pk}" selected>Roubaix &lt;&quot;Nord&quot;&gt; &amp; Co</option>' in page
    for name in ("lille", "arras", "nice", "toulon"):
        assert f'<option value="{org[name].pk}">{org[name].name}</option>' in page
    assert page.count(" selected>") == 1  # the branch only: the other filters are on "any"
    assert 'value="" selected' not in page
