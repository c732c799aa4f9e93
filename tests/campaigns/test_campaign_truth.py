"""A campaign tells the truth about its shares: a fan-out that excluded every targeted adviser says so and
why (no green "Shares scheduled", no full bar), and the list counts the shares that exist now."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.campaigns.models import Campaign
from advocacy.shares.models import Share
from advocacy.shares.scheduling import cancel_share

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'<span class="badge([^"]*)">([^<]*)</span>')


def _en(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def _progress_card(html: str) -> str:
    return html[html.index('id="campaign-progress"') :]


def test_a_campaign_whose_every_targeted_adviser_was_excluded_says_so_and_why(
    sandbox, team, make_item, launched, marketer, client_for
):
    team(2, opted_in=False)  # in the audience, connected, but not opted in to auto-share
    team(1, connected=False, prefix="B")  # opted in, but no X account
    campaign = launched(make_item())
    assert (campaign.status, campaign.targeted, campaign.scheduled) == (Campaign.Status.SCHEDULED, 3, 0)

    card = _progress_card(_en(client_for(marketer), reverse("campaigns:detail", args=[campaign.pk])))

    assert BADGE.search(card).groups() == (" badge-warn", "No share scheduled")
    assert "badge-ok" not in card
    assert "No share was scheduled: all 3 targeted advisers were excluded (see why below)." in card
    assert "0 of 3 targeted advisers have a share" in card
    assert 'value="0"' in card
    assert "<tr><td>Not opted in to auto-share this category</td><td>2</td></tr>" in card
    assert "<tr><td>No connected X account</td><td>1</td></tr>" in card


def test_a_campaign_that_scheduled_shares_is_green_with_its_reach(
    sandbox, team, make_item, launched, marketer, client_for
):
    team(2)
    team(2, opted_in=False, prefix="B")
    campaign = launched(make_item())

    card = _progress_card(_en(client_for(marketer), reverse("campaigns:detail", args=[campaign.pk])))

    assert BADGE.search(card).groups() == (" badge-ok", "Shares scheduled")
    assert "2 of 4 targeted advisers have a share" in card
    assert 'value="50"' in card


def test_the_campaign_list_counts_the_shares_that_exist_now_in_constant_queries(
    sandbox, team, make_item, launched, marketer, client_for
):
    people = team(3)
    first = launched(make_item(title="Livret"))
    share = Share.objects.get(campaign=first, adviser=people[0])
    assert cancel_share(share=share, actor=people[0])  # the adviser calls one off: the counter still says 3
    assert Campaign.objects.get(pk=first.pk).scheduled == 3
    client = client_for(marketer)

    html = _en(client, reverse("campaigns:list"))

    detail = reverse("campaigns:detail", args=[first.pk])
    row = re.search(rf'<tr><td[^>]*><a href="{detail}">.*?</tr>', html, re.S)
    assert row, html
    assert ">2</td></tr>" in row.group(0)
    assert "Shares scheduled" in row.group(0)  # the badge: shares remain

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("campaigns:list"))
    team(2, prefix="C")
    launched(make_item(title="Compte"))
    launched(make_item(title="Crédit"))
    with CaptureQueriesContext(connection) as three:
        assert _en(client, reverse("campaigns:list")).count("<tr><td") == 3
    assert len(three) == len(one)


def test_a_campaign_failed_by_a_french_worker_tells_its_problem_in_each_readers_language(
    sandbox, team, make_item, marketer, window
):
    import datetime as dt

    from django.utils import timezone, translation

    from advocacy.campaigns import fanout, lifecycle
    from advocacy.content.models import ContentItem

    team(2)
    item = make_item(variants=["Le livret Relais, disponible en agence."])
    campaign = lifecycle.create_campaign(item=item, starts_at=window[0], ends_at=window[1], actor=marketer)
    lifecycle.launch_campaign(campaign=campaign, actor=marketer)  # its fan-out waits for the commit
    ContentItem.objects.filter(pk=item.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with translation.override("fr"):
        failed = fanout.fan_out(campaign_id=campaign.pk)
    assert failed.status == Campaign.Status.FAILED
    assert failed.last_error == "This content has expired."
    with translation.override("fr"):
        assert failed.problem == "Ce contenu a expiré."
    assert failed.problem == "This content has expired."
