"""Replies from Relais: an adviser answers a mention from their timeline; the reply is checked (an IBAN the
client gave in public is never echoed), sent through tweepy to the sandbox exactly once, archived as the
service wrote it, and the mention is marked answered."""

from __future__ import annotations

import collections

import pytest
import requests
from django.test import Client
from django.urls import reverse

from advocacy.networks.usage.models import ApiCall
from advocacy.relationships.models import Interaction
from advocacy.replies import tasks
from advocacy.replies.models import Reply, ReplyStatus
from advocacy.replies.transitions import TRANSITIONS, replayed_status
from compliance.archive.models import ArchiveRecord
from compliance.archive.verify import verify_database
from tests.publishing.conftest import faults, sandbox_state
from tests.replies.conftest import IBAN

pytestmark = pytest.mark.django_db

ANSWER = "Bonjour Léa, je regarde votre virement et je vous appelle cet après-midi."


def _replies_on_sandbox(sandbox) -> list[dict]:
    state = sandbox_state(sandbox)
    camille = next(u["id"] for u in state["users"] if u["username"] == "camille_x")
    return [t for t in state["tweets"] if t["author_id"] == camille and not t["deleted"]]


def _form_key(page: str) -> str:
    marker = 'name="request_key" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def _post_reply(http, interaction, text, *, key=None):
    url = reverse("replies:new", kwargs={"interaction_id": interaction.pk})
    if key is None:
        key = _form_key(http.get(url).content.decode())
    return http.post(url, {"text": text, "request_key": key})


def _events(reply) -> list[ArchiveRecord]:
    return list(ArchiveRecord.objects.filter(subject_ref=f"replies.reply:{reply.pk}").order_by("seq"))


def test_an_adviser_answers_a_mention_and_the_reply_is_on_x_in_reply_to_it(
    sandbox, adviser, mention, client_for, django_capture_on_commit_callbacks
):
    lea = mention("@camille_x Bonjour, pouvez-vous me rappeler au sujet de mon livret ?")
    http = client_for(adviser)
    timeline = http.get(reverse("relationships:timeline")).content.decode()
    answer_url = reverse("replies:new", kwargs={"interaction_id": lea.pk})
    assert answer_url in timeline

    page = http.get(answer_url).content.decode()
    assert "pouvez-vous me rappeler au sujet de mon livret" in page  # the post being answered
    assert "0 / 280 characters on X" in page
    with django_capture_on_commit_callbacks(execute=True):  # the send task runs (eagerly) after commit
        response = _post_reply(http, lea, ANSWER)
    reply = Reply.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("replies:detail", args=[reply.pk])

    assert reply.status == ReplyStatus.SENT
    [posted] = _replies_on_sandbox(sandbox)
    assert posted["text"] == ANSWER
    assert posted["in_reply_to_tweet_id"] == lea.post_id
    assert posted["conversation_id"] == lea.conversation_id
    assert reply.network_post_id == posted["id"]
    lea.refresh_from_db()
    assert lea.answered_at is not None

    inbound = ArchiveRecord.objects.get(event_type="inbound.received")
    events = _events(reply)
    assert [e.event_type for e in events] == ["reply.queued", "reply.attempted", "reply.sent"]
    sent = events[-1]
    assert sent.payload["text"] == ANSWER
    assert sent.payload["in_reply_to"] == lea.post_id
    assert sent.payload["conversation_id"] == lea.conversation_id
    assert sent.payload["inbound_record"] == inbound.seq
    assert sent.payload["adviser"]["email"] == adviser.email
    assert sent.network_post_id == posted["id"]  # "everything about this post" finds the reply
    assert sent.subject_user_id == adviser.pk
    assert events[0].actor_id == adviser.pk and events[0].payload["text"] == ANSWER
    assert replayed_status(e.event_type for e in events) == reply.status
    assert verify_database().ok

    detail = http.get(reverse("replies:detail", args=[reply.pk])).content.decode()
    assert '<span class="badge badge-ok">Sent</span>' in detail and reply.post_url in detail
    assert "Answered" in http.get(reverse("relationships:timeline")).content.decode()


def test_a_reply_echoing_the_clients_iban_is_blocked_keeps_the_text_and_sends_nothing(
    sandbox, adviser, mention, client_for, django_capture_on_commit_callbacks
):
    lea = mention()  # Léa gave her IBAN in public
    text = f"Bonjour Léa, bien reçu : virement vers {IBAN} en cours."
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post_reply(client_for(adviser), lea, text)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Your reply was not sent" in page
    assert "This looks like a bank account number (IBAN)" in page  # the finding, as the checks word it
    assert text in page  # the text is kept in the form
    assert callbacks == []
    assert not Reply.objects.exists()
    assert _replies_on_sandbox(sandbox) == []
    assert not ArchiveRecord.objects.filter(event_type__startswith="reply.").exists()
    assert not ApiCall.objects.filter(purpose="reply").exists()


def test_the_task_run_twice_posts_once(sandbox, adviser, mention, client_for):
    lea = mention("@camille_x Merci pour le conseil d'hier !")
    _post_reply(client_for(adviser), lea, ANSWER)  # on-commit callbacks are not run: the task is ours to run
    reply = Reply.objects.get()
    assert reply.status == ReplyStatus.QUEUED
    tasks.send_reply(reply.pk)
    tasks.send_reply(reply.pk)
    assert len(_replies_on_sandbox(sandbox)) == 1
    assert ApiCall.objects.filter(purpose="reply").count() == 1  # X was asked once
    assert [e.event_type for e in _events(reply)] == ["reply.queued", "reply.attempted", "reply.sent"]


def test_a_timeout_after_x_posted_is_looked_up_on_the_account_and_never_resent(
    sandbox, adviser, mention, client_for, settings
):
    settings.X_UNKNOWN_RECHECK_SECONDS = 0
    lea = mention("@camille_x Une question sur mon prêt")
    _post_reply(client_for(adviser), lea, ANSWER)
    reply = Reply.objects.get()
    faults(sandbox, timeout_after_commit_next=1, timeout_mode="close", endpoints=["POST /2/tweets"])
    tasks.send_reply(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.OUTCOME_UNKNOWN
    assert len(_replies_on_sandbox(sandbox)) == 1  # X did post it

    tasks.send_reply(reply.pk)  # what beat does next: look first
    tasks.send_reply(reply.pk)
    reply.refresh_from_db()
    [posted] = _replies_on_sandbox(sandbox)
    assert reply.status == ReplyStatus.SENT and reply.network_post_id == posted["id"]
    assert ApiCall.objects.filter(purpose="reply").count() == 1  # the lost call, never a second one
    events = _events(reply)
    assert [e.event_type for e in events] == [
        "reply.queued",
        "reply.attempted",
        "reply.outcome_unknown",
        "reply.claimed",
        "reply.sent",
    ]
    assert events[-1].payload["recovered_after_unknown_outcome"] is True
    assert replayed_status(e.event_type for e in events) == ReplyStatus.SENT
    lea.refresh_from_db()
    assert lea.answered_at is not None


def test_the_same_form_posted_twice_makes_one_reply(sandbox, adviser, mention, client_for):
    lea = mention("@camille_x bonjour")
    http = client_for(adviser)
    key = _form_key(http.get(reverse("replies:new", kwargs={"interaction_id": lea.pk})).content.decode())
    first = _post_reply(http, lea, ANSWER, key=key)
    second = _post_reply(http, lea, ANSWER, key=key)
    assert Reply.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_another_adviser_gets_404_by_id_and_other_roles_403_on_get_and_post(
    sandbox, adviser, adviser2, mention, client_for, personas
):
    lea = mention("@camille_x bonjour")
    owner = client_for(adviser)
    _post_reply(owner, lea, ANSWER)
    reply = Reply.objects.get()
    new_url = reverse("replies:new", kwargs={"interaction_id": lea.pk})
    detail_url = reverse("replies:detail", args=[reply.pk])
    other = client_for(adviser2)
    assert other.get(new_url).status_code == 404
    assert other.post(new_url, {"text": "Bonjour", "request_key": "k" * 32}).status_code == 404
    assert other.get(detail_url).status_code == 404
    for role in ("branch_manager", "compliance", "hr", "marketing", "admin"):
        http = client_for(personas[role])
        assert http.get(new_url).status_code == 403, role
        assert http.post(new_url, {"text": "Bonjour", "request_key": "k" * 32}).status_code == 403, role
        assert http.get(detail_url).status_code == 403, role
    assert Reply.objects.count() == 1


def test_posting_a_reply_needs_the_csrf_token(sandbox, adviser, mention):
    lea = mention("@camille_x bonjour")
    http = Client(enforce_csrf_checks=True)
    http.force_login(adviser, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("replies:new", kwargs={"interaction_id": lea.pk})
    response = http.post(url, {"text": ANSWER, "request_key": "k" * 32})
    assert response.status_code == 403
    assert not Reply.objects.exists()


def test_only_posts_can_be_answered_follows_and_likes_cannot(
    sandbox, adviser, account, receiver, client, client_for, settings
):
    from advocacy.networks.x.network import X
    from tests.relationships.test_webhook_capture import _post_all, _register_webhook

    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    X.subscribe_activity(account)
    requests.post(
        f"{sandbox.url}/_sandbox/follow", json={"target": "camille_x", "follower": "client_lea"}, timeout=5
    ).raise_for_status()
    _post_all(client, receiver.wait_for(1))  # X pushes the follow to Relais's webhook
    follow = Interaction.objects.get(adviser=adviser, kind="follow")
    assert not follow.answerable
    http = client_for(adviser)
    timeline = http.get(reverse("relationships:timeline")).content.decode()
    assert "client_lea" in timeline
    assert reverse("replies:new", kwargs={"interaction_id": follow.pk}) not in timeline
    assert http.get(reverse("replies:new", kwargs={"interaction_id": follow.pk})).status_code == 404


def test_the_counter_gives_the_weighted_length_and_the_blocking_finding(adviser, client_for):
    http = client_for(adviser)
    page = http.post(reverse("replies:count"), {"text": f"Votre IBAN {IBAN} €"}).content.decode()
    expected = len(f"Votre IBAN {IBAN} ") + 2  # "€" counts 2 on X
    assert f"{expected} / 280 characters on X" in page
    assert "Blocks" in page and "cannot be sent as it is" in page


def test_every_move_of_the_table_is_made_by_the_engine_and_nothing_else_writes_the_status():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "advocacy" / "replies"
    sources = {p.name: p.read_text() for p in root.glob("*.py")}
    used = collections.Counter(
        action for text in sources.values() for action in re.findall(r'transition\(\s*\w+,\s*"(\w+)"', text)
    )
    assert set(used) == set(TRANSITIONS)
    writers = sorted(name for name, text in sources.items() if re.search(r"update\([^)]*\bstatus=", text))
    assert writers == ["transitions.py"]


def test_an_adviser_who_lost_the_role_before_sending_sends_nothing(sandbox, adviser, mention, client_for):
    from advocacy.org.models import StaffRole

    lea = mention("@camille_x bonjour")
    _post_reply(client_for(adviser), lea, ANSWER)
    reply = Reply.objects.get()
    StaffRole.objects.filter(profile__user=adviser).delete()  # the role is withdrawn before the worker runs
    tasks.send_reply(reply.pk)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert reply.last_error == "You no longer hold the adviser role: the reply was not sent."
    assert _replies_on_sandbox(sandbox) == []
    assert [e.event_type for e in _events(reply)] == ["reply.queued", "reply.claimed", "reply.failed"]
    lea.refresh_from_db()
    assert lea.answered_at is None


def test_beat_recovers_a_claim_left_by_a_dead_worker_by_looking_first(sandbox, adviser, mention, client_for):
    import datetime as dt

    from django.utils import timezone

    from advocacy.replies.transitions import transition

    lea = mention("@camille_x bonjour")
    _post_reply(client_for(adviser), lea, ANSWER)
    reply = Reply.objects.get()
    # A worker claimed it, marked it as being sent, and died before (or while) calling X.
    long_ago = timezone.now() - dt.timedelta(hours=1)
    assert transition(
        reply,
        "start",
        payload={
            "text": reply.text,
            "in_reply_to": reply.in_reply_to_post_id,
            "conversation_id": reply.conversation_id,
            "inbound_record": reply.inbound_record_id,
            "network": "x",
            "account": "camille_x",
            "attempt": 1,
        },
        claim_token="dead-worker",
        claimed_at=long_ago,
        send_started_at=long_ago,
    )
    tasks.send_due_replies()  # beat: the stale claim becomes an unknown outcome, looked up, then sent once
    tasks.send_due_replies()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert len(_replies_on_sandbox(sandbox)) == 1
    assert [e.event_type for e in _events(reply)] == [
        "reply.queued",
        "reply.attempted",
        "reply.outcome_unknown",
        "reply.claimed",
        "reply.attempted",
        "reply.sent",
    ]
