"""Connecting an adviser's X account through allauth (OAuth 2 + PKCE); refresh, revocation, disconnect."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from advocacy.networks.crypto import decrypt
from advocacy.networks.x import client as xclient
from advocacy.networks.x.connections import fresh_account
from advocacy.networks.x.models import ConnectionGap, XAccount

from .conftest import sandbox_state

pytestmark = pytest.mark.django_db


def _run_connect_flow(client, sandbox, username: str):
    """Adviser presses "Connect", signs in on the sandbox as ``username``, comes back to Relais."""
    start = client.post(reverse("twitter_oauth2_login") + "?process=connect")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(sandbox.url + "/i/oauth2/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert params["code_challenge_method"] == "S256"
    assert set(params["scope"].split()) == {
        "tweet.read",
        "tweet.write",
        "users.read",
        "follows.read",
        "like.read",
        "offline.access",
    }
    page = requests.get(authorize, timeout=5)
    assert page.status_code == 200
    chosen = requests.post(
        f"{sandbox.url}/i/oauth2/authorize",
        data={**params, "username": username},
        allow_redirects=False,
        timeout=5,
    )
    assert chosen.status_code == 302
    back = urlsplit(chosen.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_an_adviser_connects_through_allauth_and_the_tokens_are_stored_encrypted(
    sandbox, adviser, client_for
):
    client = client_for(adviser)
    response = _run_connect_flow(client, sandbox, "camille_x")
    assert response.status_code == 302
    assert response["Location"] == reverse("xnetwork:connection")
    account = XAccount.objects.get(user=adviser)
    assert account.username == "camille_x" and account.is_connected
    assert account.expires_at > timezone.now()
    access = decrypt(account.access_token_encrypted)
    refresh = decrypt(account.refresh_token_encrypted)
    assert xclient.me(access).username == "camille_x"  # the stored token is the real one
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token_encrypted, refresh_token_encrypted FROM xnetwork_xaccount")
        raw = " ".join(cursor.fetchone())
    assert access.reveal() not in raw and refresh.reveal() not in raw
    assert access.reveal() not in repr(account)
    # allauth kept nothing: no social account, no plain token row.
    from allauth.socialaccount.models import SocialAccount, SocialToken

    assert not SocialAccount.objects.exists() and not SocialToken.objects.exists()
    page = client.get(reverse("xnetwork:connection"))
    assert "@camille_x" in page.content.decode()


def test_an_x_account_already_linked_to_another_adviser_is_refused(sandbox, adviser, adviser2, client_for):
    _run_connect_flow(client_for(adviser), sandbox, "shared_x")
    client = client_for(adviser2)
    response = _run_connect_flow(client, sandbox, "shared_x")
    assert response.status_code == 302
    assert not XAccount.objects.filter(user=adviser2).exists()
    page = client.get(response["Location"])
    assert "already connected to another adviser" in page.content.decode()


def test_cancelling_on_x_connects_nothing_and_says_so(sandbox, adviser, client_for):
    client = client_for(adviser)
    start = client.post(reverse("twitter_oauth2_login") + "?process=connect")
    params = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    back = requests.post(
        f"{sandbox.url}/i/oauth2/authorize",
        data={**params, "action": "cancel"},
        allow_redirects=False,
        timeout=5,
    )
    target = urlsplit(back.headers["Location"])
    response = client.get(f"{target.path}?{target.query}", follow=True)
    assert not XAccount.objects.exists()
    assert "cancelled" in response.content.decode()


def test_x_cannot_be_used_to_sign_in_nor_connected_by_a_non_adviser(sandbox, client_for, marketer):
    from django.test import Client

    anonymous = Client().post(reverse("twitter_oauth2_login"))
    assert not anonymous["Location"].startswith(sandbox.url)
    as_marketer = client_for(marketer).post(reverse("twitter_oauth2_login") + "?process=connect")
    assert not as_marketer["Location"].startswith(sandbox.url)


def test_a_token_near_expiry_is_refreshed_and_the_new_pair_stored(sandbox, adviser, connect):
    account = connect(adviser, "fresh_x", expires_in=60)
    old_refresh = decrypt(account.refresh_token_encrypted).reveal()
    refreshed = fresh_account(account)
    assert refreshed.expires_at > timezone.now() + dt.timedelta(hours=1)
    assert decrypt(refreshed.refresh_token_encrypted).reveal() != old_refresh
    assert xclient.me(decrypt(refreshed.access_token_encrypted)).username == "fresh_x"
    assert sandbox_state(sandbox)["counters"]["requests"]["POST /2/oauth2/token"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_make_exactly_one_refresh_call(sandbox, adviser, connect):
    """Worker A holds the refresh lease; worker B must wait for A's new token, not spend the refresh token."""
    account = connect(adviser, "race_x", expires_in=60)
    claim = "worker-a"
    XAccount.objects.filter(pk=account.pk).update(
        refresh_claim=claim, refresh_claimed_until=timezone.now() + dt.timedelta(seconds=30)
    )
    result = {}

    def worker_b():
        try:
            result["account"] = fresh_account(account)
        except Exception as exc:
            result["error"] = exc
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    thread = threading.Thread(target=worker_b)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive(), "worker B must wait while A holds the lease"
    from advocacy.networks.x.connections import _refresh_with_lease

    refreshed_by_a = _refresh_with_lease(XAccount.objects.get(pk=account.pk), claim)
    thread.join(10)
    assert "error" not in result, result.get("error")
    assert result["account"].access_token_encrypted == refreshed_by_a.access_token_encrypted
    assert sandbox_state(sandbox)["counters"]["requests"]["POST /2/oauth2/token"] == 1
    assert XAccount.objects.get(pk=account.pk).is_connected


def test_a_revoked_connection_disconnects_opens_a_gap_and_tells_the_adviser(
    sandbox, adviser, connect, client_for, django_capture_on_commit_callbacks
):
    account = connect(adviser, "revoked_x", expires_in=60)
    requests.post(f"{sandbox.url}/_sandbox/revoke_user_tokens", json={"user": "revoked_x"}, timeout=5)
    with pytest.raises(xclient.Unauthorized), django_capture_on_commit_callbacks(execute=True):
        fresh_account(account)
    account.refresh_from_db()
    assert account.status == XAccount.Status.DISCONNECTED
    assert account.disconnected_reason == XAccount.Reason.REVOKED
    assert account.access_token_encrypted == "" and account.refresh_token_encrypted == ""
    assert ConnectionGap.objects.filter(account=account, ended_at=None).count() == 1
    assert len(mail.outbox) == 1 and adviser.email in mail.outbox[0].to
    page = client_for(adviser).get(reverse("xnetwork:connection")).content.decode()
    assert 'class="banner"' in page


def test_reconnecting_closes_the_gap(sandbox, adviser, connect):
    account = connect(adviser, "back_x", expires_in=60)
    requests.post(f"{sandbox.url}/_sandbox/revoke_user_tokens", json={"user": "back_x"}, timeout=5)
    with pytest.raises(xclient.Unauthorized):
        fresh_account(account)
    connect(adviser, "back_x")
    gap = ConnectionGap.objects.get(account=account)
    assert gap.ended_at is not None
    assert XAccount.objects.get(pk=account.pk).is_connected


def test_the_adviser_disconnects_and_the_token_is_revoked_at_x(sandbox, adviser, connect, client_for):
    account = connect(adviser, "leaving_x")
    access = decrypt(account.access_token_encrypted)
    response = client_for(adviser).post(reverse("xnetwork:disconnect"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == XAccount.Status.DISCONNECTED
    assert account.disconnected_reason == XAccount.Reason.BY_ADVISER
    assert account.access_token_encrypted == ""
    with pytest.raises(xclient.Unauthorized):
        xclient.me(access)
    assert not ConnectionGap.objects.exists()


def test_compliance_sees_disconnected_advisers_and_gaps(
    sandbox, adviser, connect, client_for, compliance_officer
):
    account = connect(adviser, "gap_x", expires_in=60)
    requests.post(f"{sandbox.url}/_sandbox/revoke_user_tokens", json={"user": "gap_x"}, timeout=5)
    with pytest.raises(xclient.Unauthorized):
        fresh_account(account)
    page = client_for(compliance_officer).get(reverse("xnetwork:compliance_connections")).content.decode()
    assert page.count("@gap_x") == 2
