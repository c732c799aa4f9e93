"""Demo data for the share engine (``manage.py seed_demo`` calls ``seed_shares()`` after the X connection
is seeded): the connected demo adviser has shared one library item, published on the sandbox through the
engine itself, so that the scripted sandbox client has a post of theirs to reply to when the demo starts
(and My shares, the home panel and the post metrics have a real post). Idempotent: nothing is shared when the
adviser has published anything already.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model

from advocacy.content.selectors import library_feed_for
from advocacy.networks.x.models import XAccount
from advocacy.shares.models import Share
from advocacy.shares.policy import ShareRefused
from advocacy.shares.scheduling import schedule_share
from advocacy.shares.sending import publish_share

logger = logging.getLogger(__name__)

DEMO_ADVISER = "adviser@demo.relais.test"


def seed_shares() -> int:
    adviser = get_user_model().objects.filter(email=DEMO_ADVISER).first()
    connected = XAccount.objects.filter(user=adviser, status=XAccount.Status.CONNECTED)
    if adviser is None or not connected.exists():
        return 0
    if Share.objects.filter(adviser=adviser, status=Share.Status.PUBLISHED).exists():
        return 0
    for item in library_feed_for(adviser)[:10]:
        try:
            share = schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
        except ShareRefused:
            continue
        # Sent here rather than by the worker (not started yet while the demo seeds); the task queued on
        # commit finds it published already (the engine's claim makes the second run a no-op).
        return 1 if publish_share(share_id=share.pk) == Share.Status.PUBLISHED else 0
    logger.info("No library item the demo adviser may share: no demo post")
    return 0
