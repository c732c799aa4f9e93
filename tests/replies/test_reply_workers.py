"""A reply handed to real Celery workers (threads, through Redis, on PostgreSQL) several times at once is
posted once: the claim lets one worker through, whatever the others do."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from advocacy.networks.usage.models import ApiCall
from advocacy.replies import tasks
from advocacy.replies.models import Reply, ReplyStatus
from compliance.archive.models import ArchiveRecord
from compliance.archive.verify import verify_database
from tests.publishing.conftest import sandbox_state

ANSWER = "Bonjour, je vous rappelle demain matin."


@pytest.mark.services
def test_five_deliveries_of_the_same_reply_to_two_workers_post_it_once(
    sandbox, adviser, mention, client_for, worker_connections_closed, celery_worker_for_tests
):
    lea = mention("@camille_x Pouvez-vous me rappeler ?")
    http = client_for(adviser)
    url = reverse("replies:new", kwargs={"interaction_id": lea.pk})
    key = http.get(url).content.decode().split('name="request_key" value="', 1)[1].split('"', 1)[0]
    assert http.post(url, {"text": ANSWER, "request_key": key}).status_code == 302  # enqueued on commit
    reply = Reply.objects.get()
    for _ in range(4):
        tasks.send_reply.delay(reply.pk)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        reply.refresh_from_db()
        if reply.status == ReplyStatus.SENT:
            break
        time.sleep(0.2)
    time.sleep(1)  # let the other deliveries run to their (empty) end
    assert reply.status == ReplyStatus.SENT
    state = sandbox_state(sandbox)
    camille = next(u["id"] for u in state["users"] if u["username"] == "camille_x")
    posted = [t for t in state["tweets"] if t["author_id"] == camille]
    assert [t["in_reply_to_tweet_id"] for t in posted] == [lea.post_id]
    assert ApiCall.objects.filter(purpose="reply").count() == 1
    assert ArchiveRecord.objects.filter(event_type="reply.sent").count() == 1
    assert ArchiveRecord.objects.filter(event_type="reply.attempted").count() == 1
    assert verify_database().ok
