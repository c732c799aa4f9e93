"""Campaign pages: progress polled with htmx, the advisers' highlight and one-click share, auto-share
settings, navigation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.campaigns import lifecycle
from advocacy.campaigns.models import AutoShareOptIn, Campaign
from advocacy.shares.models import Share
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(make_item, marketer, django_capture_on_commit_callbacks):
    """A campaign running now (window started a minute ago) on a market-news item."""
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=make_item(title="Livret Relais"),
        name="Semaine de l'épargne",
        starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(days=2),
        actor=marketer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.launch_campaign(campaign=campaign, actor=marketer)
    campaign.refresh_from_db()
    return campaign


def test_advisers_not_opted_in_see_the_campaign_highlighted_with_a_one_click_share(
    sandbox, adviser, connect, running, client_for
):
    connect(adviser, "camille_x")
    client = client_for(adviser)
    for page in (reverse("content:library"), reverse("portal:home")):
        body = client.get(page).content.decode()
        assert "Semaine de l&#x27;épargne" in body, page
        assert reverse("campaigns:share", args=[running.pk]) in body, page

    response = client.post(reverse("campaigns:share", args=[running.pk]))

    assert response.status_code == 302
    share = Share.objects.get(adviser=adviser)
    assert (share.campaign_id, share.item_id) == (running.pk, running.item_id)
    body = client.get(reverse("content:library")).content.decode()
    assert reverse("campaigns:share", args=[running.pk]) not in body


def test_advisers_outside_the_campaigns_audience_see_no_highlight(
    make_item, marketer, adviser2, client_for, org
):
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=make_item(),
        starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(days=1),
        branches=[org["lille"]],
        actor=marketer,
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED)
    body = client_for(adviser2).get(reverse("content:library")).content.decode()  # adviser2 is in Nice
    assert reverse("campaigns:share", args=[campaign.pk]) not in body
    response = client_for(adviser2).post(reverse("campaigns:share", args=[campaign.pk]))
    assert response.status_code == 302
    assert not Share.objects.exists()


def test_an_opted_in_adviser_sees_the_share_scheduled_for_them(
    sandbox, adviser, connect, make_item, marketer, client_for, django_capture_on_commit_callbacks
):
    connect(adviser, "camille_x")
    AutoShareOptIn.objects.create(adviser=adviser, category="market_news")
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=make_item(), starts_at=now, ends_at=now + dt.timedelta(days=1), actor=marketer
    )
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.launch_campaign(campaign=campaign, actor=marketer)
    body = client_for(adviser).get(reverse("portal:home")).content.decode()
    assert "Scheduled for you on" in body or "Programmé pour vous" in body


def test_the_campaign_page_shows_progress_and_polls_only_while_scheduling(make_item, marketer, client_for):
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=make_item(), starts_at=now, ends_at=now + dt.timedelta(days=1), actor=marketer
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.FANNING_OUT,
        targeted=1000,
        processed=500,
        scheduled=120,
        skipped=380,
        skip_reasons={"not_opted_in": 380},
    )
    client = client_for(marketer)
    progress_url = reverse("campaigns:progress", args=[campaign.pk])
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert f'hx-get="{progress_url}"' in page
    assert 'value="50"' in page
    fragment = client.get(progress_url).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="campaign-progress"')
    assert "380" in fragment

    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED, processed=1000)
    assert "hx-get" not in client.get(progress_url).content.decode()


def test_an_adviser_switches_auto_share_on_and_off_by_category(adviser, client_for):
    client = client_for(adviser)
    url = reverse("campaigns:auto_share")
    assert client.get(url).status_code == 200

    client.post(url, {"category": "market_news", "enabled": "1"})
    client.post(url, {"category": "market_news", "enabled": "1"})  # twice: one opt-in, one event
    assert list(AutoShareOptIn.objects.values_list("adviser_id", "category")) == [(adviser.pk, "market_news")]
    client.post(url, {"category": "market_news", "enabled": "0"})
    assert not AutoShareOptIn.objects.exists()
    events = list(
        ArchiveRecord.objects.filter(event_type__startswith="auto_share.")
        .order_by("seq")
        .values_list("event_type")
    )
    assert events == [("auto_share.opted_in",), ("auto_share.opted_out",)]
    assert client.post(url, {"category": "nonsense", "enabled": "1"}).status_code == 404


def test_campaigns_are_in_the_navigation_of_marketing_and_compliance_only(personas, client_for):
    link = reverse("campaigns:list")
    for role, shown in (("marketing", True), ("compliance", True), ("adviser", False), ("hr", False)):
        body = client_for(personas[role]).get(reverse("portal:home")).content.decode()
        assert (f'href="{link}"' in body) is shown, role
    assert reverse("campaigns:auto_share") in client_for(personas["adviser"]).get("/").content.decode()


def test_a_campaign_window_starting_at_a_time_that_does_not_exist_is_refused_with_the_reason(
    make_item, marketer, client_for, settings
):
    from advocacy.campaigns.models import Campaign

    settings.TIME_ZONE = "Europe/Paris"
    item = make_item()
    response = client_for(marketer).post(
        reverse("campaigns:new"),
        {"item": item.pk, "starts_at": "2027-03-28T02:30", "ends_at": "2027-03-29T10:00"},
    )
    assert response.status_code == 200
    assert "does not exist in Europe/Paris" in response.content.decode()
    assert not Campaign.objects.exists()


def test_campaign_highlights_cost_the_same_queries_with_one_or_several_running_campaigns(
    sandbox, adviser, connect, make_item, marketer, client_for, org
):
    """The home and the library ask once whether the adviser is in each running campaign's targeting (and
    not at all while the cached answer for the adviser's place is current: both counts are taken warm)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connect(adviser, "camille_x")
    client = client_for(adviser)
    now = timezone.now()

    def run_one(**places):
        campaign = lifecycle.create_campaign(
            item=make_item(), starts_at=now - dt.timedelta(minutes=1), ends_at=now + dt.timedelta(days=1),
            actor=marketer, **places,
        )  # fmt: skip
        assert lifecycle.launch_campaign(campaign=campaign, actor=marketer)  # running (its fan-out not run)
        return campaign

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            body = client.get(page).content.decode()
        return len(captured), body

    first = run_one()
    for page in (reverse("portal:home"), reverse("content:library")):
        client.get(page)
        one, body = queries(page)
        assert reverse("campaigns:share", args=[first.pk]) in body
        others = [run_one(), run_one(branches=[org["nice"]]), run_one(regions=[org["north"]])]
        client.get(page)
        several, body = queries(page)
        assert several == one, page
        assert reverse("campaigns:share", args=[others[0].pk]) in body
        assert reverse("campaigns:share", args=[others[1].pk]) not in body  # Nice: not the adviser's branch
        assert reverse("campaigns:share", args=[others[2].pk]) in body
        for campaign in others:
            lifecycle.cancel_campaign(campaign=campaign, actor=marketer)


def test_the_campaign_list_is_paged_newest_first(make_item, marketer, client_for):
    now = timezone.now()
    item = make_item()
    made = [
        lifecycle.create_campaign(
            item=item,
            starts_at=now + dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(days=1),
            actor=marketer,
        ).pk
        for _ in range(52)
    ]
    client = client_for(marketer)
    page = client.get(reverse("campaigns:list")).context["page"]
    assert [c.pk for c in page.object_list] == made[::-1][:50] and page.older == made[2]
    older = client.get(reverse("campaigns:list"), {"before": page.older}).context["page"]
    assert [c.pk for c in older.object_list] == made[1::-1]


def test_campaign_highlights_reach_exactly_the_advisers_the_fan_out_targets(
    make_item, marketer, make_staff, org
):
    """``highlights_for`` asks which running campaigns reach one person; the fan-out asks which people one
    campaign reaches (``targeted_advisers``). Both answers agree for every place, role and audience."""
    from advocacy.campaigns.selectors import highlights_for, targeted_advisers
    from advocacy.content.models import AudienceRole
    from advocacy.org.models import Role

    people = [
        make_staff(Role.ADVISER, branch="lille"),
        make_staff(Role.ADVISER, branch="nice"),
        make_staff(Role.ADVISER, Role.BRANCH_MANAGER, branch="arras"),
        make_staff(Role.BRANCH_MANAGER, branch="lille"),  # not an adviser: never highlighted
        make_staff(Role.ADVISER, branch=None),
    ]
    north_only = make_item(title="Nord")
    north_only.audience_whole_bank = False
    north_only.save(update_fields=["audience_whole_bank"])
    north_only.audience_regions.set([org["north"]])
    managers_item = make_item(title="Managers")
    AudienceRole.objects.create(item=managers_item, role=Role.BRANCH_MANAGER)
    now = timezone.now()
    variants = [
        {},
        {"branches": [org["lille"]]},
        {"regions": [org["south"]]},
        {"branches": [org["arras"]], "regions": [org["south"]]},
        {"roles": [Role.BRANCH_MANAGER]},
        {"item": north_only},
        {"item": managers_item},
    ]
    campaigns = []
    for variant in variants:
        campaign = lifecycle.create_campaign(
            item=variant.pop("item", None) or make_item(), starts_at=now - dt.timedelta(minutes=1),
            ends_at=now + dt.timedelta(days=1), actor=marketer, **variant,
        )  # fmt: skip
        campaigns.append(campaign)
    Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).update(status=Campaign.Status.SCHEDULED)

    for person in people:
        highlighted = {h.campaign.pk for h in highlights_for(person)}
        targeted = {c.pk for c in campaigns if targeted_advisers(c).filter(pk=person.pk).exists()}
        assert highlighted == targeted, person.staff.branch
    assert any(highlights_for(p) for p in people)  # the comparison is not between two empty sets


def test_a_launched_campaign_shows_on_the_advisers_next_page_and_a_cancelled_one_leaves_it(
    sandbox, adviser, connect, make_item, marketer, client_for
):
    """The running campaigns are cached per place (issue 13); launching and cancelling retire the entry."""
    connect(adviser, "camille_x")
    client = client_for(adviser)
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=make_item(), starts_at=now - dt.timedelta(minutes=1), ends_at=now + dt.timedelta(days=1),
        actor=marketer,
    )  # fmt: skip
    share_now = reverse("campaigns:share", args=[campaign.pk])
    for page in (reverse("portal:home"), reverse("content:library")):
        assert share_now not in client.get(page).content.decode()  # planned: not running yet (and cached)

    assert lifecycle.launch_campaign(campaign=campaign, actor=marketer)
    for page in (reverse("portal:home"), reverse("content:library")):
        assert share_now in client.get(page).content.decode(), page

    assert lifecycle.cancel_campaign(campaign=campaign, actor=marketer)
    for page in (reverse("portal:home"), reverse("content:library")):
        assert share_now not in client.get(page).content.decode(), page


def test_a_recalled_item_leaves_the_highlights_on_the_next_page(
    sandbox, adviser, connect, running, client_for, compliance_officer
):
    from advocacy.content.workflow.lifecycle import recall_item

    connect(adviser, "camille_x")
    client = client_for(adviser)
    share_now = reverse("campaigns:share", args=[running.pk])
    assert share_now in client.get(reverse("portal:home")).content.decode()

    recall_item(item=running.item, actor=compliance_officer, reason="Taux modifié")

    assert share_now not in client.get(reverse("portal:home")).content.decode()


def test_a_cached_campaign_stops_showing_when_it_ends(sandbox, adviser, running):
    """The entry is checked against the time it is read at: a campaign past its end is not shown from it."""
    from advocacy.campaigns.selectors import highlights_for
    from advocacy.org.selectors import roles_of

    roles_of(adviser)
    assert [h.campaign.pk for h in highlights_for(adviser)] == [running.pk]  # cached now
    assert highlights_for(adviser, now=running.ends_at + dt.timedelta(seconds=1)) == []


def test_the_advisers_home_and_library_read_the_advisers_profile_once(
    sandbox, adviser, connect, running, client_for
):
    """The library feed's audience, the previews' slot values and the highlights share one read of the
    profile (three before, issue 13); the other read is the roles' and time zone's, by the middleware."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connect(adviser, "camille_x")
    client = client_for(adviser)
    for page in (reverse("portal:home"), reverse("content:library")):
        client.get(page)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(page).content.decode()
        assert reverse("campaigns:share", args=[running.pk]) in body
        profile_reads = [q["sql"] for q in captured if 'FROM "org_staffprofile"' in q["sql"]]
        assert len(profile_reads) == 2, (page, profile_reads)
