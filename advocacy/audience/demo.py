"""The demo's follower graph: the employees who share the demo job offers are followed on the X sandbox by
overlapping groups of people, so that HR's reach page shows a deduplicated audience below the raw sum.

Sharer *i* (in the order of their X account) is followed by ``FANS_EACH`` of the ``demo_fan_NN`` sandbox
users starting at ``i * STEP``: consecutive sharers share ``FANS_EACH - STEP`` followers (three sharers:
raw sum 90, each person once 54). The followers are then read as the inbound capture reads them
(``relationships.polling.poll_followers``, once a UTC day per account, through the usage ledger) and the
sketches built (``services.refresh_sketches``): nothing here reads X in any other way. Idempotent: a follow
already there is not made again, and a reading already done today is not repeated.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings

from advocacy.audience import services
from advocacy.networks.x.models import XAccount
from advocacy.relationships.polling import RoundReport, poll_followers

logger = logging.getLogger(__name__)

FANS_EACH, STEP = 30, 12


def job_offer_sharers() -> list[XAccount]:
    """The connected X accounts of the employees with a published share of a job offer."""
    return list(
        XAccount.objects.filter(
            status=XAccount.Status.CONNECTED,
            user__shares__item__job_offer__isnull=False,
            user__shares__published_at__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )


def seed_follower_graph(accounts: list[XAccount] | None = None) -> dict:
    """Script the follows on the sandbox, read them through the capture, build the sketches."""
    accounts = job_offer_sharers() if accounts is None else accounts
    summary = {"sharers": len(accounts), "follows": 0, "followers_read": 0, "sketches": 0}
    if not accounts:
        return summary
    base = settings.X_API_BASE_URL
    try:
        state = requests.get(f"{base}/_sandbox/state", timeout=5).json()
    except requests.RequestException:
        logger.info("X sandbox not reachable at %s: no demo follower graph", base)
        return summary
    ids = {u["username"]: u["id"] for u in state["users"]}
    for index, account in enumerate(accounts):
        already = set(state["followers"].get(account.x_user_id, []))
        for n in range(index * STEP, index * STEP + FANS_EACH):
            fan = f"demo_fan_{n:02d}"
            if ids.get(fan) in already:
                continue
            answer = requests.post(
                f"{base}/_sandbox/follow", json={"target": account.username, "follower": fan}, timeout=5
            )
            answer.raise_for_status()
            summary["follows"] += 1
    report = RoundReport()
    for account in accounts:
        poll_followers(account, report)
    summary["followers_read"] = report.followers_read
    summary["sketches"] = services.refresh_sketches()
    return summary
