"""A client's timeline: what the client did to their adviser's account, as the sandbox pushed it through the
signed webhook and the real ingestion, newest first under their consent state; their adviser reads it,
managers of their scope read it read-only, nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.clients.resolution import resolve_pending
from advocacy.clients.services import add_client, record_consent
from advocacy.networks.x.network import X
from advocacy.relationships.models import Interaction
from tests.relationships.test_webhook_capture import _control, _post_all, _register_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea(sandbox, adviser, connect, receiver):
    """Camille's connected account, pushed by X, and her client Léa, consented and resolved."""
    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    X.subscribe_activity(account)
    sandbox.state.add_user("client_lea")
    client = add_client(adviser=adviser, client_ref="CRM-LEA", first_name="Léa", last_name="Martin")
    record_consent(
        client, by=adviser, method="form", consent_date=dt.date(2026, 11, 30), x_handle="@client_lea"
    )
    resolve_pending()
    client.refresh_from_db()
    assert client.linked
    client.account = account
    return client


def _mentions(sandbox, receiver, client, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        _control(sandbox, "mention", {"from": "client_lea", "to": "camille_x", "text": f"@camille_x q{i}"})
    _post_all(client, receiver.wait_for(start + n))


def test_the_adviser_sees_what_their_client_did_newest_first_under_the_consent(
    sandbox, adviser, receiver, client, client_for, lea
):
    post_id = X.publish(lea.account, "Nos conseils épargne de la semaine.")
    _control(sandbox, "follow", {"target": "camille_x", "follower": "client_lea"})
    _control(
        sandbox,
        "reply",
        {
            "from": "client_lea",
            "to": "camille_x",
            "text": "Merci pour l'article",
            "in_reply_to_tweet_id": post_id,
        },
    )
    _control(sandbox, "like", {"tweet_id": post_id, "user": "client_lea"})
    _control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x pas client"})
    _post_all(client, receiver.wait_for(4))
    assert Interaction.objects.filter(client=lea).count() == 3

    browser = client_for(adviser)
    book = browser.get(reverse("clients:list")).content.decode()
    url = reverse("clients:timeline", args=[lea.pk])
    assert f'href="{url}"' in book  # linked from the client's row in My clients

    page = browser.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="linked"' in page and "@client_lea" in page
    assert "Form" in page and "2026" in page  # how and when the consent was given
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert [r.split('data-label="What">', 1)[1].split(" ", 1)[0].split("<")[0] for r in rows] == [
        "Like",
        "Reply",
        "Follow",
    ]  # newest first
    assert "Merci pour l&#x27;article" in page
    assert page.count(f'#{post_id}"') == 2  # the reply and the like link the adviser's post
    assert "pas client" not in page  # Marc is not a client: his mention is not on Léa's timeline
    assert "Read-only" not in page

    _newest, middle, _oldest = Interaction.objects.filter(client=lea).order_by("-pk")
    older = browser.get(url, {"before": middle.pk}).content.decode()
    assert 'data-label="What">Follow' in older and 'data-label="What">Reply' not in older


def test_the_timeline_costs_the_same_queries_for_3_or_30_interactions(
    sandbox, adviser, receiver, client, client_for, lea
):
    browser = client_for(adviser)
    url = reverse("clients:timeline", args=[lea.pk])
    browser.get(url)  # warm the session and the roles cache
    counts = []
    for n, start in ((3, 0), (27, 3)):
        _mentions(sandbox, receiver, client, n, start)
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert Interaction.objects.filter(client=lea).count() == 30
    assert response.content.decode().count("<tr>") == 31  # the header and 30 rows
    assert counts[0] == counts[1], counts


def test_another_adviser_gets_404_and_hr_marketing_compliance_403(
    adviser, make_staff, hr, marketer, compliance_officer, client_for
):
    from advocacy.org.models import Role

    jeanne = add_client(adviser=adviser, client_ref="CRM-J", first_name="Jeanne")
    url = reverse("clients:timeline", args=[jeanne.pk])
    same_branch = make_staff(Role.ADVISER, branch="lille", first_name="Paul")
    assert client_for(same_branch).get(url).status_code == 404
    for person in (hr, marketer, compliance_officer):
        assert client_for(person).get(url).status_code == 403
    assert client_for(adviser).get(url).status_code == 200


def test_managers_read_their_scope_clients_timeline_read_only(
    sandbox, adviser, receiver, client, client_for, lea, branch_manager, regional_manager, administrator
):
    _mentions(sandbox, receiver, client, 1)
    url = reverse("clients:timeline", args=[lea.pk])
    page = client_for(branch_manager).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Read-only" in page and "@camille_x q0" in page
    mention = Interaction.objects.get(client=lea)
    answer = reverse("replies:new", kwargs={"interaction_id": mention.pk})
    assert answer not in page  # only the client's adviser answers
    assert answer in client_for(adviser).get(url).content.decode()
    assert reverse("clients:edit", args=[lea.pk]) not in page
    scope = client_for(branch_manager).get(reverse("clients:scope")).content.decode()
    assert f'href="{url}"' in scope
    assert client_for(regional_manager).get(url).status_code == 404  # Lille is not in the south
    assert client_for(administrator).get(url).status_code == 200
