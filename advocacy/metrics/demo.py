"""Demo only: the audience of the demo's posts grows on the X sandbox, so that the real metrics reader has
something to read a few minutes after ``make demo`` starts.

Nothing here touches Relais's own tables: each round asks the sandbox's control route (``POST
/_sandbox/metrics``) to raise the impressions and likes of every published post it holds for a demo share,
as X's counters would move. The figures reach the dashboards only the honest way: the beat's post-metrics
round reads them through tweepy (``X.post_metrics``), bills the call in the usage ledger and stores a
snapshot, at most once a post per UTC day as X bills (``advocacy.metrics.reading``).

Refused against anything but a sandbox on this machine (a loopback ``X_API_BASE_URL`` that answers the
sandbox's control routes): the control route does not exist on X, and a demo must never pretend to.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings

from advocacy.shares.models import Share

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT_S = 5


class NotASandbox(RuntimeError):
    """``X_API_BASE_URL`` is not a sandbox on this machine: the demo activity would have nothing to raise."""


@dataclass
class Raised:
    posts: int = 0
    impressions: int = 0
    likes: int = 0


def sandbox_url() -> str:
    base = settings.X_API_BASE_URL.rstrip("/")
    if urlsplit(base).hostname not in LOOPBACK:
        raise NotASandbox(f"X_API_BASE_URL ({base}) is not a sandbox on loopback")
    return base


def _appeal(post_id: str) -> int:
    """A steady 1-5 per post, so that the same posts keep drawing more (best posts and variants differ)."""
    return 1 + int(post_id) % 5 if post_id.isdigit() else 1


def raise_demo_metrics(*, rng: random.Random | None = None) -> Raised:
    """One round: each live sandbox post of a published share gains impressions (about 15-45 per round,
    times its appeal) and a like for roughly every 25 impressions gained. Returns what was added."""
    rng = rng or random.Random()
    base = sandbox_url()
    try:
        state = requests.get(f"{base}/_sandbox/state", timeout=TIMEOUT_S)
        state.raise_for_status()
    except requests.RequestException as exc:
        raise NotASandbox(f"no X sandbox answers at {base} ({exc})") from None
    live = {t["id"]: t["public_metrics"] for t in state.json()["tweets"] if not t["deleted"]}
    post_ids = (
        Share.objects.filter(status=Share.Status.PUBLISHED)
        .exclude(network_post_id="")
        .values_list("network_post_id", flat=True)
    )
    raised = Raised()
    for post_id in sorted(set(post_ids) & set(live)):
        now = live[post_id]
        impressions = rng.randint(15, 45) * _appeal(post_id)
        likes = sum(1 for _ in range(impressions) if rng.random() < 0.04)
        response = requests.post(
            f"{base}/_sandbox/metrics",
            json={
                "tweet_id": post_id,
                "impression_count": now["impression_count"] + impressions,
                "like_count": now["like_count"] + likes,
            },
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
        raised.posts += 1
        raised.impressions += impressions
        raised.likes += likes
    return raised
