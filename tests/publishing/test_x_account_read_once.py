"""The adviser's X account is read once per page (issue 13): the home's connection panel reads it and the
reconnection banner answers from that read instead of asking the table again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.networks.x.models import XAccount

pytestmark = pytest.mark.django_db


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("portal:home")).content.decode()
    reads = [q["sql"] for q in queries if 'FROM "xnetwork_xaccount"' in q["sql"]]
    return body, reads


def test_the_home_reads_the_account_once_and_still_shows_the_banner_when_x_revoked_it(
    sandbox, adviser, connect, client_for
):
    account = connect(adviser, "home_x")
    client = client_for(adviser)
    client.get(reverse("portal:home"))  # the session's first-request bookkeeping
    body, reads = _home(client)
    assert len(reads) == 1 and 'class="banner"' not in body
    XAccount.objects.filter(pk=account.pk).update(
        status=XAccount.Status.DISCONNECTED,
        disconnected_reason=XAccount.Reason.REVOKED,
        disconnected_at=timezone.now(),
    )
    body, reads = _home(client)
    assert len(reads) == 1 and 'class="banner"' in body


def test_a_page_that_does_not_read_the_account_asks_for_the_banner(sandbox, adviser, connect, client_for):
    account = connect(adviser, "library_x")
    XAccount.objects.filter(pk=account.pk).update(
        status=XAccount.Status.DISCONNECTED,
        disconnected_reason=XAccount.Reason.REVOKED,
        disconnected_at=timezone.now(),
    )
    body = client_for(adviser).get(reverse("content:library")).content.decode()
    assert 'class="banner"' in body
