"""The demo's scripted sandbox client: once the demo adviser is connected, a polling round brings the
client's mention into the adviser's timeline and the archive."""

from __future__ import annotations

import pytest

from advocacy.networks.x.demo import seed_publishing
from advocacy.relationships.models import Interaction
from advocacy.relationships.polling import poll_round
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db


def test_the_demo_client_mention_reaches_the_advisers_timeline_after_one_round(sandbox, make_staff):
    user = make_staff("adviser", email="adviser@demo.relais.test")
    seed_publishing()
    report = poll_round()
    assert (report.read, report.stored) == (1, 1)
    mention = Interaction.objects.get(adviser=user)
    assert mention.actor_username == "client_lea_demo" and "merci pour vos conseils" in mention.text
    assert ArchiveRecord.objects.filter(event_type="inbound.received", subject_user_id=user.pk).count() == 1
