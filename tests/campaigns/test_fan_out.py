"""Fan-out: one share per opted-in, connected adviser, spread across the window with distinct texts, in
chunks with progress, idempotent, archived per chunk, with a query count per chunk that does not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.campaigns import fanout, lifecycle, opt_in
from advocacy.campaigns.models import Campaign
from advocacy.content.selectors import text_for_adviser, texts_by_adviser
from advocacy.shares.models import Share
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db

TEMPLATE = "{first_name} vous présente le livret Relais, disponible en agence."


def test_fan_out_schedules_one_share_per_opted_in_connected_adviser_across_the_window_with_distinct_texts(
    sandbox, team, make_item, launched, window
):
    people = team(8)
    item = make_item(variants=[TEMPLATE])
    campaign = launched(item)

    assert campaign.status == Campaign.Status.SCHEDULED
    shares = list(Share.objects.filter(campaign=campaign).order_by("scheduled_for"))
    assert sorted(s.adviser_id for s in shares) == sorted(p.pk for p in people)
    assert len({s.fingerprint for s in shares}) == len(shares) == 8
    assert all(s.status == Share.Status.SCHEDULED for s in shares)
    # Evenly spread: the window cut in 8 slots holds exactly one share each (jitter stays inside a slot).
    start, end = window
    width = (end - start) / 8
    slots = sorted(int((s.scheduled_for - start) / width) for s in shares)
    assert slots == list(range(8))
    # Each share carries the text text_for_adviser gives that adviser, exactly as approved.
    for share in shares:
        approved = text_for_adviser(item.current_version, share.adviser)
        assert (share.approved_text_id, share.text, share.fingerprint) == (
            approved.pk,
            approved.text,
            approved.fingerprint,
        )


def test_fan_out_skips_the_other_advisers_and_counts_why(sandbox, team, make_item, launched, make_staff):
    from advocacy.shares import services

    ready = team(2, prefix="R")
    not_opted = team(2, opted_in=False, prefix="N")
    not_connected = team(1, connected=False, prefix="C")
    shared_already = team(1, prefix="S")
    manager = make_staff("branch_manager", first_name="Mgr")  # not an adviser: not targeted at all
    item = make_item(variants=[TEMPLATE])
    services.schedule_share(adviser=shared_already[0], item=item, when=None, actor=shared_already[0])
    campaign = launched(item)

    assert campaign.targeted == campaign.processed == 6
    assert campaign.scheduled == 2
    assert campaign.skipped == 4
    assert campaign.skip_reasons == {"not_opted_in": 2, "not_connected": 1, "already_shared": 1}
    scheduled_for = set(Share.objects.filter(campaign=campaign).values_list("adviser_id", flat=True))
    assert scheduled_for == {p.pk for p in ready}
    assert not Share.objects.filter(adviser__in=[*not_opted, *not_connected, manager]).exists()


def test_running_the_fan_out_again_never_creates_a_second_share(sandbox, team, make_item, launched):
    team(5)
    item = make_item(variants=[TEMPLATE])
    campaign = launched(item)
    before = set(Share.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert len(before) == 5

    fanout.fan_out(campaign_id=campaign.pk)  # finished: nothing to do
    # Replay from the start, as if the progress had been lost, with one share cancelled by its adviser.
    cancelled = Share.objects.filter(campaign=campaign).first()
    Share.objects.filter(pk=cancelled.pk).update(status=Share.Status.CANCELLED)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.FANNING_OUT, cursor=0, processed=0, scheduled=0, skipped=0, skip_reasons={}
    )
    replay = fanout.fan_out(campaign_id=campaign.pk)

    assert set(Share.objects.filter(campaign=campaign).values_list("pk", flat=True)) == before
    assert replay.scheduled == 0
    assert replay.skip_reasons == {"already_in_campaign": 5}


def test_fan_out_runs_in_chunks_with_progress_and_one_archive_event_per_chunk(
    sandbox, team, make_item, marketer, window, django_capture_on_commit_callbacks
):
    people = team(7)
    item = make_item(variants=[TEMPLATE])
    campaign = lifecycle.create_campaign(item=item, starts_at=window[0], ends_at=window[1], actor=marketer)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)
    seen = []
    original = fanout._fan_out_chunk

    def spy(campaign, chunk, *args):
        result = original(campaign, chunk, *args)
        seen.append(Campaign.objects.values_list("processed", "scheduled").get(pk=campaign.pk))
        return result

    fanout._fan_out_chunk = spy
    try:
        done = fanout.fan_out(campaign_id=campaign.pk, chunk_size=3)
    finally:
        fanout._fan_out_chunk = original

    assert seen == [(3, 3), (6, 6), (7, 7)]
    assert (done.status, done.targeted, done.processed, done.scheduled) == ("scheduled", 7, 7, 7)
    events = list(
        ArchiveRecord.objects.filter(
            event_type="campaign.fanned_out_chunk", subject_ref=f"campaigns.campaign:{campaign.pk}"
        ).order_by("seq")
    )
    assert len(events) == 3
    listed = [entry for event in events for entry in event_payload(event)["shares"]]
    shares = {s.pk: s for s in Share.objects.filter(campaign=campaign)}
    assert sorted(e["share"] for e in listed) == sorted(shares)
    assert {e["adviser"] for e in listed} == {p.pk for p in people}
    for entry in listed:
        share = shares[entry["share"]]
        assert entry["fingerprint"] == share.fingerprint
        assert entry["approved_text"] == share.approved_text_id
        assert entry["scheduled_for"] == share.scheduled_for.isoformat()
    assert ArchiveRecord.objects.filter(event_type="campaign.fanned_out").count() == 1


def event_payload(event) -> dict:
    import json

    return json.loads(event.payload_json)


def _queries_for_one_chunk(make_item, marketer, window, item_kwargs) -> int:
    item = make_item(**item_kwargs)
    campaign = lifecycle.create_campaign(item=item, starts_at=window[0], ends_at=window[1], actor=marketer)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FANNING_OUT)
    with CaptureQueriesContext(connection) as queries:
        done = fanout.fan_out(campaign_id=campaign.pk, chunk_size=100)
    return len(queries), done


def test_the_fan_outs_query_count_per_chunk_does_not_grow_with_the_number_of_advisers(
    sandbox, team, make_item, marketer, window
):
    team(3, prefix="F")
    few, done_few = _queries_for_one_chunk(
        make_item, marketer, window, {"title": "Few", "variants": [TEMPLATE]}
    )
    team(22, prefix="M")  # 25 advisers now (one SQLite INSERT holds up to 999 parameters: ~30 shares)
    many, done_many = _queries_for_one_chunk(
        make_item, marketer, window, {"title": "Many", "variants": [TEMPLATE]}
    )
    assert (done_few.scheduled, done_many.scheduled) == (3, 25)
    assert many == few, f"{few} queries for 3 advisers, {many} for 25"


def test_the_batch_assignment_gives_advisers_their_own_fill_and_distinct_texts(sandbox, team, make_item):
    people = team(6, prefix="T") + team(3, prefix="T")  # three pairs of namesakes
    item = make_item(
        variants=[TEMPLATE, "Deuxième formulation du livret.", "Troisième formulation du livret."]
    )
    version = item.current_version
    batch = texts_by_adviser(version)
    chosen = [batch[person.pk] for person in people]
    assert None not in chosen
    # As many different texts as there are approved texts to go round (9 advisers, fewer texts).
    assert len({t.pk for t in chosen}) == min(len(people), version.approved_texts.count())
    # Advisers without a namesake post their own filled template.
    for person in people[3:6]:
        assert person.first_name in batch[person.pk].text
    # One adviser's text is the same whether asked alone or for the whole audience.
    assert text_for_adviser(version, people[4]) == batch[people[4].pk]


def test_opting_out_cancels_the_auto_shares_still_waiting(sandbox, team, make_item, launched):
    person = team(1)[0]
    campaign = launched(make_item())
    share = Share.objects.get(campaign=campaign, adviser=person)

    assert opt_in.set_auto_share(adviser=person, category="market_news", enabled=False, actor=person)

    share.refresh_from_db()
    assert share.status == Share.Status.CANCELLED
    assert ArchiveRecord.objects.filter(event_type="auto_share.opted_out").count() == 1
