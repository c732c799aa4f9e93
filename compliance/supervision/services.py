"""The supervision queue's writes: an entry for every sent reply, a compliance officer's decision, a rate.

``supervise_reply`` is called by the reply engine inside the transaction that records ``reply.sent``
(``advocacy.replies.after_sending``); it is safe to call twice for a reply (one entry per reply), which is
what lets ``sweep_unsupervised`` catch up with a reply whose entry failed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.replies.models import Reply, ReplyStatus
from compliance.archive.services import record
from compliance.supervision.flags import flags_in
from compliance.supervision.models import Flag, SamplingRate, SupervisionItem
from compliance.supervision.sampling import is_sampled, rate_for


def person(user) -> dict:
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def inbound_text(reply: Reply) -> str:
    """The post answered, as archived (``inbound.received``), else as the relationship store has it."""
    if reply.inbound_record_id:
        inbound = reply.inbound_record
        if inbound is not None:
            return inbound.payload.get("text", "")
    return reply.interaction.text if reply.interaction_id else ""


def supervise_reply(reply: Reply) -> SupervisionItem | None:
    """Decide whether a sent reply enters the queue, and store the entry (archived when it enters).
    Returns the entry, or None when the reply already had one."""
    if SupervisionItem.objects.filter(reply_id=reply.pk).exists():
        return None
    details = flags_in(inbound_text(reply), where="inbound") + flags_in(reply.text, where="reply")
    raised = {detail["flag"] for detail in details}
    rate = rate_for(reply.adviser_id)
    if raised:
        reason = SupervisionItem.Reason.FLAGGED
    elif is_sampled(reply.pk, rate):
        reason = SupervisionItem.Reason.SAMPLED
    else:
        reason = SupervisionItem.Reason.NOT_SAMPLED
    in_queue = reason != SupervisionItem.Reason.NOT_SAMPLED
    try:
        with transaction.atomic():
            item = SupervisionItem.objects.create(
                reply=reply,
                adviser_id=reply.adviser_id,
                in_queue=in_queue,
                reason=reason,
                rate_percent=rate,
                flag_details=details,
                **{flag: flag in raised for flag in Flag.values},
            )
            if in_queue:
                record(
                    "supervision.queued",
                    subject=item,
                    actor=None,
                    payload={
                        "item": item.pk,
                        "reply": reply.pk,
                        "adviser": person(reply.adviser),
                        "reason": reason,
                        "rate_percent": rate,
                        "flags": details,
                        "network_post_id": reply.network_post_id,
                    },
                )
    except IntegrityError:  # another caller made the entry first
        return None
    return item


def sweep_unsupervised(*, limit: int = 500) -> int:
    """Sent replies with no entry (their entry failed after they were recorded): supervised now."""
    done = 0
    for reply in (
        Reply.objects.filter(status=ReplyStatus.SENT, supervision__isnull=True)
        .select_related("adviser", "inbound_record", "interaction")
        .order_by("pk")[:limit]
    ):
        with transaction.atomic():
            done += supervise_reply(reply) is not None
    return done


def decide(*, item: SupervisionItem, officer, decision: str, comment: str = "") -> bool:
    """A compliance officer's decision on a queued entry ("reviewed", or "escalated"). True when this call
    made it: the entry leaves the queue once, archived once, whoever clicks second."""
    if decision not in (SupervisionItem.Decision.REVIEWED, SupervisionItem.Decision.ESCALATED):
        raise ValueError(f"not a supervision decision: {decision!r}")
    now = timezone.now()
    with transaction.atomic():
        if not SupervisionItem.objects.filter(pk=item.pk, in_queue=True, reviewed_at=None).update(
            decision=decision, comment=comment, reviewed_at=now, reviewed_by=officer
        ):
            return False
        item.decision, item.comment, item.reviewed_at, item.reviewed_by = decision, comment, now, officer
        record(
            "supervision.reviewed",
            subject=item,
            actor=officer,
            payload={
                "item": item.pk,
                "reply": item.reply_id,
                "decision": decision,
                "comment": comment,
                "flags": item.flag_details,
                "network_post_id": item.reply.network_post_id,
            },
        )
    return True


def set_rate(*, adviser, percent: int | None, by, default: int) -> None:
    """Override the adviser's sampling rate (``None``: back to the default), archived with before/after."""
    if percent is not None and not 0 <= percent <= 100:
        raise ValueError("a sampling rate is a percentage, 0 to 100")
    with transaction.atomic():
        current = SamplingRate.objects.select_for_update().filter(adviser=adviser).first()
        before = current.percent if current else None
        if before == percent:
            return
        if percent is None:
            current.delete()
        elif current is None:
            SamplingRate.objects.create(adviser=adviser, percent=percent, set_by=by)
        else:
            current.percent, current.set_by = percent, by
            current.save(update_fields=["percent", "set_by", "set_at"])
        record(
            "supervision.rate_changed",
            subject=adviser,
            actor=by,
            payload={"adviser": person(adviser), "before": before, "after": percent, "default": default},
        )
