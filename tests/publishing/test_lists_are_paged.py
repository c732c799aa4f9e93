"""Lists that grow with a bank's history are paged (issue 13): My shares (with the click figures of the
page shown), and compliance's X connections; a page costs the same queries however long the history."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.networks.x.models import ConnectionGap, XAccount
from advocacy.shares.models import Share, ShareClick

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_share(adviser, connect, make_item):
    connect(adviser, "camille_x")
    item = make_item()
    return Share.objects.create(
        adviser=adviser,
        item=item,
        version=item.current_version,
        approved_text=item.current_version.approved_texts.first(),
        fingerprint="f" * 64,
        scheduled_for=timezone.now(),
        status=Share.Status.DELETED,
        link_code=uuid.uuid4().hex[:24],
    )


def _more_shares(share: Share, count: int) -> list[int]:
    """``count`` more (deleted) shares like ``share``, each with two clicks by one visitor."""
    made = []
    for _ in range(count):
        share.pk, share.link_code = None, uuid.uuid4().hex[:24]
        share.save()
        made.append(share.pk)
        ShareClick.objects.bulk_create(
            [ShareClick(share_id=share.pk, clicked_at=timezone.now(), visitor="v1") for _ in range(2)]
        )
    return made


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_my_shares_is_paged_with_the_click_figures_of_the_page(first_share, adviser, client_for):
    client = client_for(adviser)
    made = [first_share.pk, *_more_shares(first_share, 54)]
    response = client.get(reverse("shares:my_shares"))
    page = response.context["page"]
    assert [s.pk for s in page.object_list] == made[::-1][:50] and page.older == made[5]
    assert [(s.click_count, s.visitor_count) for s in page.object_list[:2]] == [(2, 1), (2, 1)]
    older = client.get(reverse("shares:my_shares"), {"before": page.older}).context["page"]
    assert [s.pk for s in older.object_list] == made[4::-1] and older.newer == made[4]
    assert older.object_list[-1].click_count == 0  # the first share has no click


def test_my_shares_costs_the_same_queries_with_few_and_many_shares(first_share, adviser, client_for):
    client = client_for(adviser)
    client.get(reverse("shares:my_shares"))
    _more_shares(first_share, 3)
    few = _queries(client, reverse("shares:my_shares"))
    _more_shares(first_share, 80)
    assert _queries(client, reverse("shares:my_shares")) == few


def test_compliance_connections_pages_disconnected_accounts_and_gaps(
    first_share, adviser, compliance_officer, client_for
):
    account = XAccount.objects.get(user=adviser)
    account.status, account.disconnected_reason = XAccount.Status.DISCONNECTED, XAccount.Reason.REVOKED
    account.disconnected_at = timezone.now()
    account.save()
    gaps = [
        ConnectionGap.objects.create(
            account=account, started_at=timezone.now(), ended_at=timezone.now(), reason="revoked"
        ).pk
        for _ in range(53)
    ]
    client = client_for(compliance_officer)
    url = reverse("xnetwork:compliance_connections")
    response = client.get(url)
    assert [g.pk for g in response.context["gaps"].object_list] == gaps[::-1][:50]
    assert f'href="?gaps_before={gaps[3]}"' in response.content.decode()
    assert list(response.context["disconnected"].object_list) == [account]
    older = client.get(url, {"gaps_before": gaps[3]}).context["gaps"]
    assert [g.pk for g in older.object_list] == gaps[2::-1]
    few = _queries(client, url)
    for _ in range(60):
        ConnectionGap.objects.create(
            account=account, started_at=timezone.now(), ended_at=timezone.now(), reason="revoked"
        )
    assert _queries(client, url) == few


def test_compliance_connections_pages_revoked_accounts_by_time_without_offset(compliance_officer, client_for):
    """Newest disconnection first, Newer/Older from a (time, id) cursor: every account exactly once in
    either direction, ties on the time broken by id, and page 2 costs what page 1 costs (no OFFSET)."""
    from django.contrib.auth import get_user_model

    base = timezone.now()
    accounts = []
    for n in range(57):
        user = get_user_model().objects.create(username=f"revoked{n}", email=f"revoked{n}@bank.test")
        accounts.append(
            XAccount.objects.create(
                user=user,
                x_user_id=f"9{n:05d}",
                username=f"revoked_{n}",
                connected_at=base,
                status=XAccount.Status.DISCONNECTED,
                disconnected_reason=XAccount.Reason.REVOKED,
                # Not in id order, and three accounts at each instant: the cursor must break ties.
                disconnected_at=base - timezone.timedelta(minutes=(n * 7) % 19),
            )
        )
    XAccount.objects.create(  # disconnected by the adviser: not in compliance's list
        user=get_user_model().objects.create(username="self", email="self@bank.test"),
        x_user_id="8",
        username="by_self",
        connected_at=base,
        status=XAccount.Status.DISCONNECTED,
        disconnected_reason=XAccount.Reason.BY_ADVISER,
        disconnected_at=base,
    )
    expected = [a.pk for a in sorted(accounts, key=lambda a: (a.disconnected_at, a.pk), reverse=True)]
    client = client_for(compliance_officer)
    url = reverse("xnetwork:compliance_connections")
    first = client.get(url)
    page = first.context["disconnected"]
    assert [a.pk for a in page.object_list] == expected[:50] and page.newer is None
    assert f'href="?before={page.older}"' in first.content.decode()
    older = client.get(url, {"before": page.older}).context["disconnected"]
    assert [a.pk for a in older.object_list] == expected[50:] and older.older is None
    back = client.get(url, {"after": older.newer}).context["disconnected"]
    assert [a.pk for a in back.object_list] == expected[:50] and back.newer is None
    assert _queries(client, url, {"before": page.older}) == _queries(client, url)
    for bad in ("not-a-cursor", "99999999999999999999_1", "12_x"):
        assert client.get(url, {"before": bad}).context["disconnected"].object_list == page.object_list
