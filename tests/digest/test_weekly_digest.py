"""The weekly digest as its reader gets it: new library content for their audience, their posts' measured
results (read from the sandbox through tweepy, clicks through /l/), the signals waiting; in their language;
once per week however often the task runs; never after they opted out (from the portal or the e-mail's
one-click link, which cannot be forged for someone else); nothing sent in a week with nothing to tell."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.core import mail
from django.test import Client
from django.utils import timezone

from advocacy.digest import compose, sending, tasks
from advocacy.digest.models import DigestSent
from advocacy.links import clicks
from advocacy.metrics.reading import read_due_metrics
from advocacy.org.models import StaffProfile
from advocacy.relationships.polling import poll_round
from advocacy.relationships.signals import unread_count
from advocacy.shares import services
from advocacy.shares.models import Share
from tests.relationships.helpers import LONG_TOKEN, consented_client, control

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def this_week() -> compose.Week:
    today = timezone.now().astimezone(dt.UTC).date()
    return compose.Week(today - dt.timedelta(days=today.weekday()))


@pytest.fixture
def busy_week(sandbox, adviser, connect, make_item, settings, clock):
    """This week, through the real flow: one post of the adviser published on the sandbox, read by the
    metrics round (120 impressions, 3 likes, 1 repost), 2 clicks on its tracked link, a consented client's
    follow that makes a signal (followers are read once a UTC day: the clock moves a day for it); and two
    new library items for the adviser's audience. Returns the week it all happened in."""
    week = this_week()
    settings.POST_METRICS_SCHEDULE = [(dt.timedelta(days=1), dt.timedelta(minutes=1))]  # first read in 1 min
    connect(adviser, "camille_x", expires_in=LONG_TOKEN)
    item = make_item(title="Livret Relais")
    share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    share = Share.objects.get(pk=share.pk)
    requests.post(
        f"{sandbox.url}/_sandbox/metrics",
        json={
            "tweet_id": share.network_post_id,
            "impression_count": 120,
            "like_count": 3,
            "retweet_count": 1,
        },
        timeout=5,
    ).raise_for_status()
    assert read_due_metrics(now=timezone.now() + dt.timedelta(seconds=61)).read == 1
    for _ in range(2):
        assert Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 302
    clicks.flush()
    consented_client(sandbox, adviser, "client_lea", ref="CRM-001", first="Léa", last="Martin")
    make_item(title="Prêt immobilier à taux fixe")
    poll_round()  # the followers' baseline
    control(sandbox, "follow", {"target": "camille_x", "follower": "client_lea"})
    clock.advance()
    poll_round()
    assert unread_count(adviser) >= 1
    return week


def test_the_digest_tells_the_week_in_the_readers_language(busy_week, adviser):
    StaffProfile.objects.filter(user=adviser).update(language="fr")
    assert sending.send_weekly_digest(adviser.pk, busy_week) == sending.Outcome.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [adviser.email]
    body = message.body
    assert "Nouveautés de la bibliothèque pour vous (2)" in body
    assert "- Livret Relais" in body and "- Prêt immobilier à taux fixe" in body
    assert "1 publication" in body
    assert "impressions mesurées par X : 120" in body
    assert "interactions (j\u2019aime, republications, réponses, citations) : 4" in body
    assert "clics sur vos liens suivis : 2" in body
    assert "signal en attente" in body
    assert "Your posts" not in body and "Hello" not in body  # nothing English in a French e-mail
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_english_reader_gets_it_in_english(busy_week, adviser):
    assert StaffProfile.objects.get(user=adviser).language == "en"
    sending.send_weekly_digest(adviser.pk, busy_week)
    body = mail.outbox[0].body
    assert "New in the library for you (2)" in body and "impressions measured by X: 120" in body
    assert "Bonjour" not in body and "bibliothèque" not in body


def test_each_week_is_sent_once_however_often_the_run_repeats(busy_week, adviser):
    week = busy_week
    assert sending.send_weekly_digest(adviser.pk, week) == sending.Outcome.SENT
    assert sending.send_weekly_digest(adviser.pk, week) == sending.Outcome.ALREADY_SENT
    tasks.send_digest_batch([adviser.pk], week.first_day.isoformat())
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(user=adviser, week=week.first_day).count() == 1
    assert adviser.pk not in set(sending.recipients_for(week))


def test_a_refused_send_releases_the_claim_for_the_retry(busy_week, adviser, settings):
    settings.EMAIL_BACKEND = "tests.digest.failing_mail.Backend"
    with pytest.raises(OSError):
        sending.send_weekly_digest(adviser.pk, busy_week)
    assert not DigestSent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sending.send_weekly_digest(adviser.pk, busy_week) == sending.Outcome.SENT


def test_nothing_is_sent_in_a_week_with_nothing_to_tell(adviser, hr):
    week = compose.Week.before(timezone.now())
    assert sending.send_weekly_digest(adviser.pk, week) == sending.Outcome.EMPTY
    assert sending.send_weekly_digest(hr.pk, week) == sending.Outcome.EMPTY
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_the_beat_run_covers_last_week_in_batches(busy_week, adviser, adviser2):
    """The beat task covers the week before this one: this week's post and new content are not in it, the
    signals still waiting now are; adviser2 has nothing to be told (no e-mail)."""
    assert tasks.send_weekly_digests() == 1  # every recipient fits in one batch
    assert [m.to for m in mail.outbox] == [[adviser.email]]
    body = mail.outbox[0].body
    assert "1 signal waiting in your inbox" in body
    assert "Livret Relais" not in body and "Your posts" not in body
    assert tasks.send_weekly_digests() == 1 and len(mail.outbox) == 1  # run again: nothing new is sent


def test_opting_out_in_the_portal_stops_it_and_opting_in_restarts_it(busy_week, adviser, client_for):
    client = client_for(adviser)
    page = client.get("/digest/")
    assert page.status_code == 200 and page.context["form"].initial["subscribed"] is True
    response = client.post("/digest/", {}, follow=True)
    assert "You will no longer get the weekly digest." in response.content.decode()
    assert sending.send_weekly_digest(adviser.pk, busy_week) == sending.Outcome.OPTED_OUT
    assert adviser.pk not in set(sending.recipients_for(busy_week))
    client.post("/digest/", {"subscribed": "on"})
    assert sending.send_weekly_digest(adviser.pk, busy_week) == sending.Outcome.SENT


def test_the_one_click_link_opts_out_its_owner_only(busy_week, adviser, adviser2):
    sending.send_weekly_digest(adviser.pk, busy_week)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True)  # a mail client's POST: no cookie, no CSRF token
    shown = anonymous.get("/" + path)
    assert shown.status_code == 200 and sending.wants_digest(adviser)  # a link scanner's GET changes nothing
    assert anonymous.post("/" + path).status_code == 200
    assert not sending.wants_digest(adviser) and sending.wants_digest(adviser2)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert anonymous.post(f"/digest/stop/{token[:-2]}xx/").status_code == 404  # tampered
    assert anonymous.post(f"/digest/stop/{sending.unsubscribe_token(adviser2)}/").status_code == 200
    assert not sending.wants_digest(adviser2)  # only with adviser2's own token


def test_last_week_is_the_iso_week_before(settings):
    wednesday = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)
    week = compose.Week.before(wednesday)
    assert (week.first_day, week.last_day) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    monday_early = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
    assert compose.Week.before(monday_early).first_day == dt.date(2026, 11, 23)
