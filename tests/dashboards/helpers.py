"""Seeding through the real flow for the dashboards' tests: posts published by the share engine to the X
sandbox, X's counts set on the sandbox and read by the metrics rounds, clicks through /l/."""

from __future__ import annotations

import requests
from django.test import Client

from advocacy.shares import services
from advocacy.shares.models import Share

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def set_metrics(sandbox, share: Share, **counts) -> None:
    response = requests.post(
        f"{sandbox.url}/_sandbox/metrics", json={"tweet_id": share.network_post_id, **counts}, timeout=5
    )
    response.raise_for_status()


def click(share: Share, times: int = 1) -> None:
    for _n in range(times):
        assert Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER).status_code == 302


def publish(adviser, item, **kwargs) -> Share:
    share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser, **kwargs)
    # Outside a test transaction the scheduling's on-commit task (eager under tests) has published it already.
    outcome = services.publish_share(share_id=share.pk)
    share = Share.objects.get(pk=share.pk)
    assert share.status == Share.Status.PUBLISHED, (outcome, share.last_error)
    return share
