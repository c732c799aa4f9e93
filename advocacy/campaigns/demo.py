"""The demo's campaign (``manage.py seed_demo``, after the recruitment demo): marketing runs a campaign on the
library item with four variants ("Taux immobiliers du mois"), four advisers in three branches have opted in
to auto-sharing market news and are connected to the X sandbox, the fan-out gives each a different approved
wording, the share engine publishes them to the sandbox, and people follow the tracked links — more for some
wordings than others — so that marketing's results page (``/results/campaigns/``) shows which variant drew
more clicks.

Everything goes through the real services (opt-in, create, launch, fan-out, publish, the ``/l/`` handler and
its click intake). One shortcut, said here: the fan-out spreads the shares over the campaign's window, and a
seed cannot wait for their slots, so the demo's scheduled shares are made due now before the engine sends
them (as the content demo back-dates its expired item). Idempotent: nothing is done when the demo campaign
exists.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.utils import timezone

from advocacy.campaigns import fanout, lifecycle, opt_in
from advocacy.campaigns.models import Campaign
from advocacy.content.models import ContentItem, Origin
from advocacy.links.demo import flush, follow_link
from advocacy.shares.models import Share
from advocacy.shares.sending import publish_share

logger = logging.getLogger(__name__)

DEMO_ITEM = "Taux immobiliers du mois"
DEMO_NAME = "Taux immobiliers — décembre"
# Opted-in advisers and their sandbox accounts (three branches); the demo adviser and Hugo are connected
# by the publishing and recruitment demos already.
OPTED_IN = [
    ("adviser@demo.relais.test", "camille_martin"),
    ("adviser2@demo.relais.test", "hugo_bernard"),
    ("julie.girard@demo.relais.test", "julie_girard"),
    ("ines.faure@demo.relais.test", "ines_faure"),
]
# Visitors on the campaign's links, by the adviser's place in OPTED_IN: the wordings draw unequally. The
# fan-out may give two advisers the same wording, so the first draws more than three times the second: the
# wording it got then has the most clicks per post however the others are grouped (with 7, 7 + 1 shared by
# one wording tied the 4 of another, and no wording could be named; seen on PostgreSQL, where ids differ).
VISITORS = [10, 4, 2, 1]


def seed_campaign() -> dict:
    from advocacy.networks.x.demo import connect_demo_account, sandbox_reachable

    summary = {"opted_in": 0, "published": 0, "clicks": 0}
    item = ContentItem.objects.filter(title=DEMO_ITEM, origin=Origin.LIBRARY).first()
    if item is None or Campaign.objects.filter(name=DEMO_NAME).exists() or not sandbox_reachable():
        return summary
    User = get_user_model()
    marketing = User.objects.get(email="marketing@demo.relais.test")
    advisers = []
    for email, username in OPTED_IN:
        connect_demo_account(email, username)
        adviser = User.objects.get(email=email)
        opt_in.set_auto_share(adviser=adviser, category=item.category, enabled=True, actor=adviser)
        advisers.append(adviser)
    summary["opted_in"] = len(advisers)
    now = timezone.now()
    campaign = lifecycle.create_campaign(
        item=item, starts_at=now, ends_at=now + dt.timedelta(days=3), actor=marketing, name=DEMO_NAME
    )
    lifecycle.launch_campaign(campaign=campaign, actor=marketing)
    # The fan-out here rather than by the worker (not started yet while the demo seeds); the task queued on
    # launch finds it done (it only works on a campaign still fanning out).
    fanout.fan_out(campaign_id=campaign.pk)
    shares = Share.objects.filter(campaign=campaign, status=Share.Status.SCHEDULED)
    shares.update(scheduled_for=timezone.now())  # the shortcut the docstring describes
    by_adviser = {}
    for share in shares.order_by("pk"):
        if publish_share(share_id=share.pk) == Share.Status.PUBLISHED:
            by_adviser[share.adviser_id] = share
    summary["published"] = len(by_adviser)
    for adviser, visitors in zip(advisers, VISITORS, strict=True):
        share = by_adviser.get(adviser.pk)
        if share is not None:
            targets = follow_link(share.link_code, visitors=visitors, first_visitor=500 + share.pk * 10)
            summary["clicks"] += sum(1 for t in targets if t)
    flush()
    return summary
