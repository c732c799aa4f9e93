"""Recall: pending shares cancelled, live posts deleted from each account within X's limits, all archived."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.shares import services
from advocacy.shares.models import Share

from .conftest import faults, live_posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_live_posts_and_one_scheduled(sandbox, adviser, adviser2, make_staff, connect, make_item):
    import datetime as dt

    from django.utils import timezone

    item = make_item(variants=["Deuxième formulation du livret.", "Troisième formulation du livret."])
    connect(adviser, "camille_x")
    connect(adviser2, "hugo_x")
    third = make_staff("adviser", first_name="Inès")
    connect(third, "ines_x")
    live = []
    for person in (adviser, adviser2):
        share = services.schedule_share(adviser=person, item=item, when=None, actor=person)
        assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
        live.append(share)
    pending = services.schedule_share(
        adviser=third, item=item, when=timezone.now() + dt.timedelta(hours=2), actor=third
    )
    return item, live, pending


def test_recalling_through_the_workflow_cancels_pending_shares_and_deletes_live_posts(
    sandbox, two_live_posts_and_one_scheduled, compliance_officer, django_capture_on_commit_callbacks
):
    from compliance.review.recall import recall_content as recall_item

    item, live, pending = two_live_posts_and_one_scheduled
    assert len(live_posts(sandbox)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        recall_item(item=item, actor=compliance_officer, reason="Taux erroné")
    # Whether or not the workflow enqueues our task on commit, the beat sweep catches the recall.
    from advocacy.shares.tasks import publish_due_shares

    publish_due_shares()
    assert Share.objects.get(pk=pending.pk).status == Share.Status.CANCELLED
    assert {s.status for s in Share.objects.filter(pk__in=[s.pk for s in live])} == {Share.Status.DELETED}
    assert live_posts(sandbox) == []


def test_deletion_honours_xs_rate_limit_and_resumes_after_the_reset(
    sandbox, two_live_posts_and_one_scheduled, compliance_officer, client_for
):
    import time

    from advocacy.content.models import ContentItem

    item, _live, _pending = two_live_posts_and_one_scheduled
    ContentItem.objects.filter(pk=item.pk).update(status="recalled")
    faults(sandbox, rate_limit_next=1, reset_after_s=1, endpoints=["DELETE /2/tweets/:id"])
    counts = services.recall_shares(item_id=item.pk)
    assert counts["deleted"] == 1 and counts["waiting"] == 1
    page = client_for(compliance_officer).get(reverse("shares:compliance_recalls")).content.decode()
    assert "Waiting for X" in page
    time.sleep(2.1)
    assert services.delete_pending_posts()["deleted"] == 1
    assert live_posts(sandbox) == []


def test_a_post_whose_account_is_gone_is_listed_as_a_failure(
    sandbox, two_live_posts_and_one_scheduled, adviser, compliance_officer, client_for
):
    import requests

    from advocacy.content.models import ContentItem

    item, _live, _pending = two_live_posts_and_one_scheduled
    requests.post(f"{sandbox.url}/_sandbox/revoke_user_tokens", json={"user": "camille_x"}, timeout=5)
    from advocacy.networks.x.models import XAccount

    XAccount.objects.filter(user=adviser).update(expires_at=None)  # the revoked token is still "fresh" for us
    ContentItem.objects.filter(pk=item.pk).update(status="recalled")
    counts = services.recall_shares(item_id=item.pk)
    assert counts == {"deleted": 1, "failed": 1, "waiting": 0}
    page = client_for(compliance_officer).get(reverse("shares:compliance_recalls")).content.decode()
    assert "deleted by hand" in page or "@camille_x" in page
