"""The FINRA 2210(b)(4) communication record, rebuilt from what the real services archived: a library item
written by marketing, approved by two officers (a two-approver category), shared by an adviser through
tweepy to the X sandbox, then recalled. No archive event is written by hand here."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from advocacy.content import services as content_services
from advocacy.content.models import ContentItem, Origin
from advocacy.content.workflow import approve_version, submit_for_review
from advocacy.shares import services
from advocacy.shares.models import Share
from advocacy.shares.tasks import publish_due_shares
from compliance.archive.models import ArchiveRecord
from compliance.archive.selectors import _adviser_of
from compliance.review.recall import recall_content as recall_item

from .conftest import live_posts

pytestmark = pytest.mark.django_db

TEXT = "Notre fonds Relais Patrimoine est ouvert en agence."
WARNING = "Investir comporte un risque de perte en capital."  # the product category's required warning


@pytest.fixture
def approved_product_item(settings, marketer, compliance_officer, compliance_officer2):
    settings.REVIEW_TWO_APPROVER_CATEGORIES = ["product"]
    item = content_services.create_item(
        actor=marketer,
        origin=Origin.LIBRARY,
        title="Prêt taux fixe",
        category="product",
        language="fr",
        text=TEXT,
        label="#PUB",
        disclosure=WARNING,
        variants=[],
    )
    version = item.current_version
    submit_for_review(version=version, actor=marketer)
    approve_version(version=version, reviewer=compliance_officer, comment="Conforme.")
    approve_version(version=version, reviewer=compliance_officer2, comment="OK.")
    item = ContentItem.objects.get(pk=item.pk)
    assert item.status == "approved"
    return item


def test_the_record_of_a_real_post_names_the_adviser_preparer_both_approvers_and_the_dates(
    sandbox,
    connect,
    adviser,
    marketer,
    compliance_officer,
    compliance_officer2,
    approved_product_item,
    client_for,
    django_capture_on_commit_callbacks,
):
    connect(adviser, "camille_x")
    share = services.share_now(adviser=adviser, item=approved_product_item, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    share.refresh_from_db()
    [post] = live_posts(sandbox, "camille_x")
    assert post["id"] == share.network_post_id

    with django_capture_on_commit_callbacks(execute=True):
        recall_item(item=approved_product_item, actor=compliance_officer, reason="Taux erroné")
    publish_due_shares()
    assert Share.objects.get(pk=share.pk).status == Share.Status.DELETED
    assert live_posts(sandbox, "camille_x") == []

    response = client_for(compliance_officer).get(
        reverse("archive:communication", args=[share.network_post_id])
    )
    assert response.status_code == 200
    rec = response.context["rec"]
    assert rec.text == share.sent_text and TEXT in rec.text
    assert rec.adviser == f"{adviser.get_full_name()} <{adviser.email}>"
    assert rec.version_id == share.version_id and rec.version_number == 1
    assert f"Version 1 (id {share.version_id})" in response.content.decode()
    assert rec.fingerprint == share.fingerprint
    assert rec.preparer == marketer.get_full_name()
    assert rec.version_text == TEXT
    assert [a.approver for a in rec.approvals] == [
        compliance_officer.get_full_name(),
        compliance_officer2.get_full_name(),
    ]
    archived = {
        e.event_type: e.recorded_at
        for e in ArchiveRecord.objects.filter(event_type__in=["review.first_approval", "review.approved"])
    }
    assert [a.approved_at for a in rec.approvals] == [
        archived["review.first_approval"],
        archived["review.approved"],
    ]
    assert rec.prepared_at is not None and rec.prepared_at <= rec.approvals[0].approved_at
    published = ArchiveRecord.objects.get(event_type="share.published", network_post_id=share.network_post_id)
    deleted = ArchiveRecord.objects.get(event_type="share.deleted", network_post_id=share.network_post_id)
    assert (rec.first_use, rec.last_use, rec.still_in_use) == (
        published.recorded_at,
        deleted.recorded_at,
        False,
    )
    assert (rec.version_first_use, rec.version_last_use) == (published.recorded_at, deleted.recorded_at)

    page = response.content.decode()
    for shown in (
        adviser.email,
        marketer.get_full_name(),
        compliance_officer2.get_full_name(),
        share.fingerprint,
    ):
        assert shown in page
    assert "no approval in the archive" not in page
    # Times are UTC where the page says UTC (the viewer's zone is Paris by default).
    utc = published.recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert f"{utc} UTC" in page


def test_a_share_published_record_written_before_the_adviser_key_names_the_adviser(
    sandbox, connect, adviser, approved_product_item
):
    """Old records keep their old keys (the archive is never rewritten): a ``share.published`` without
    ``adviser`` names the adviser through the record's subject (the share's adviser)."""
    connect(adviser, "camille_x")
    share = services.share_now(adviser=adviser, item=approved_product_item, actor=adviser)
    services.publish_share(share_id=share.pk)
    published = ArchiveRecord.objects.get(event_type="share.published")
    assert published.subject_user_id == adviser.pk
    old_shape = {k: v for k, v in published.payload.items() if k != "adviser"}
    legacy = ArchiveRecord(payload_json=json.dumps(old_shape), subject_user_id=published.subject_user_id)
    assert _adviser_of(legacy) == _adviser_of(published) == f"{adviser.get_full_name()} <{adviser.email}>"
