"""The monthly recognition, opt-in, per branch: measured through the real flow (posts published through
tweepy to the sandbox, their counts read by the metrics rounds, a client's mention captured by polling and
answered from Relais), scored for quality — posting more of the same never raises a score — and shown
only to the branch's participants, about participants only."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.metrics.reading import read_due_metrics
from advocacy.org.models import Role
from advocacy.recognition import selectors
from advocacy.relationships.models import Interaction
from advocacy.relationships.polling import poll_round
from advocacy.replies.models import Reply
from advocacy.replies.services import new_request_key, queue_reply
from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db
URL = "/recognition/"


@pytest.fixture
def branch(sandbox, adviser, make_staff, connect, settings):
    """Camille and Nora, advisers of the Lille branch, both connected and taking part."""
    settings.POST_METRICS_SCHEDULE = [(dt.timedelta(days=1), dt.timedelta(minutes=1))]
    nora = make_staff(Role.ADVISER, branch="lille", first_name="Nora", last_name="Lefèvre")
    connect(adviser, "camille_x")
    connect(nora, "nora_x")
    for person in (adviser, nora):
        selectors.set_taking_part(person, True)
    return {"camille": adviser, "nora": nora}


def publish(sandbox, adviser, make_item, title: str, likes: int) -> Share:
    item = make_item(title=title, text=f"{title} : découvrez-le en agence.")
    share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    share = Share.objects.get(pk=share.pk)
    requests.post(
        f"{sandbox.url}/_sandbox/metrics",
        json={"tweet_id": share.network_post_id, "impression_count": 500, "like_count": likes},
        timeout=5,
    ).raise_for_status()
    return share


def read_counts() -> None:
    read_due_metrics(now=timezone.now() + dt.timedelta(seconds=61))


def this_month() -> selectors.Month:
    return selectors.Month.of(timezone.now().astimezone(dt.UTC).date())


def by_name(people) -> dict:
    return {p.name.split()[0]: p for p in people}


def test_posting_more_of_the_same_never_raises_a_score(sandbox, branch, make_item, adviser):
    lille = adviser.staff.branch_id
    publish(sandbox, branch["camille"], make_item, "Livret A", likes=10)
    publish(sandbox, branch["nora"], make_item, "Livret B", likes=6)
    read_counts()
    before = by_name(selectors.branch_recognition(lille, this_month()))
    assert (before["Camille"].engagement_per_post, before["Nora"].engagement_per_post) == (10, 6)
    assert (before["Camille"].score, before["Nora"].score) == (100, 0)

    for n in range(3):  # Nora posts three more of the same; nobody engages with them
        publish(sandbox, branch["nora"], make_item, f"Livret B{n}", likes=0)
    read_counts()
    after = by_name(selectors.branch_recognition(lille, this_month()))
    assert after["Nora"].posts == 4 and after["Nora"].engagement_per_post == 1.5
    assert after["Nora"].score <= before["Nora"].score
    assert after["Camille"].score == before["Camille"].score


def test_answering_the_mentions_addressed_to_you_counts_as_a_rate(
    sandbox, branch, adviser, django_capture_on_commit_callbacks
):
    for text in ("@camille_x Bonjour, une question sur mon prêt", "@camille_x Et sur mon livret ?"):
        sandbox.state.add_mention("client_lea", "camille_x", text)
    poll_round()
    first = Interaction.objects.filter(adviser=adviser, kind=Interaction.Kind.MENTION).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = queue_reply(
            adviser=adviser,
            interaction=first,
            text="Bonjour, je vous appelle demain.",
            request_key=new_request_key(),
        )
    assert outcome.reply is not None and Reply.objects.get().status == Reply.Status.SENT
    camille = by_name(selectors.branch_recognition(adviser.staff.branch_id, this_month()))["Camille"]
    assert (camille.addressed, camille.answered, camille.answered_rate) == (2, 1, 0.5)


def test_a_measure_nobody_earned_never_ranks_first(sandbox, branch, adviser):
    """Camille alone has mentions addressed to her and answers none: a rate of 0 ranks 0, not 100 (it did
    when she was the only one with that measure, found in the demo walk-through)."""
    for text in ("@camille_x Bonjour, une question sur mon prêt", "@camille_x Et sur mon livret ?"):
        sandbox.state.add_mention("client_lea", "camille_x", text)
    poll_round()
    people = by_name(selectors.branch_recognition(adviser.staff.branch_id, this_month()))
    assert (people["Camille"].addressed, people["Camille"].answered_rate) == (2, 0.0)
    assert people["Camille"].score == 0


def test_only_participants_see_the_page_and_only_participants_are_on_it(
    sandbox, branch, make_item, adviser, adviser2, make_staff, client_for
):
    publish(sandbox, branch["camille"], make_item, "Livret A", likes=10)
    read_counts()
    outsider = make_staff(Role.ADVISER, branch="lille", first_name="Paul")  # same branch, not taking part
    page = client_for(branch["nora"]).get(URL).content.decode()
    assert "Camille" in page and "Nora" in page and "Paul" not in page
    assert "Camille" not in client_for(outsider).get(URL).content.decode()  # not taking part: no figures
    selectors.set_taking_part(adviser2, True)  # Hugo, of the Nice branch
    nice = client_for(adviser2).get(URL).content.decode()
    assert "Camille" not in nice and "Hugo" in nice

    me = client_for(branch["camille"])
    me.post(URL, {})  # stops taking part
    assert "Camille" not in client_for(branch["nora"]).get(URL).content.decode()
    assert not selectors.takes_part(branch["camille"])


def test_the_branch_is_read_in_a_constant_number_of_queries(sandbox, branch, make_item, make_staff, adviser):
    lille = adviser.staff.branch_id
    publish(sandbox, branch["camille"], make_item, "Livret A", likes=3)
    read_counts()
    with CaptureQueriesContext(connection) as few:
        selectors.branch_recognition(lille, this_month())
    for n in range(3):
        extra = make_staff(Role.ADVISER, branch="lille", first_name=f"Extra{n}")
        selectors.set_taking_part(extra, True)
    with CaptureQueriesContext(connection) as more:
        assert len(selectors.branch_recognition(lille, this_month())) == 5
    assert len(few) == len(more) == 6


def test_months_are_utc_calendar_months():
    month = selectors.Month.of(dt.date(2026, 12, 2))
    assert (month.start, month.end) == (
        dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )
    assert month.previous().first_day == dt.date(2026, 11, 1)
