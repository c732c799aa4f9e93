"""Legal holds: an adviser or a subject whose records the retention purge must keep, whatever their age,
until the hold is released. Placing and releasing a hold are archived; ``retention.purge_expired_records``
reads the active holds.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from compliance.archive.models import LegalHold
from compliance.archive.services import record


@transaction.atomic
def place_legal_hold(*, actor, reason: str, user=None, subject_ref: str = "") -> LegalHold:
    if user is None and not subject_ref:
        raise ValueError("a legal hold needs an adviser or a subject reference")
    if not reason.strip():
        raise ValueError("a legal hold needs a reason")
    hold = LegalHold.objects.create(
        user_id=user.pk if user else None,
        user_email=user.email if user else "",
        subject_ref=subject_ref.strip(),
        reason=reason.strip(),
        created_by_id=getattr(actor, "pk", None),
        created_by_email=getattr(actor, "email", ""),
    )
    record(
        "archive.legal_hold_placed",
        subject=user or hold.subject_ref,
        actor=actor,
        payload={"hold_id": hold.pk, "reason": hold.reason, "subject_ref": hold.subject_ref},
    )
    return hold


@transaction.atomic
def release_legal_hold(*, hold_id: int, actor) -> bool:
    """Safe to call twice: only the first release changes the hold and is archived."""
    updated = LegalHold.objects.filter(pk=hold_id, released_at=None).update(
        released_at=timezone.now(), released_by_email=getattr(actor, "email", "")
    )
    if updated:
        hold = LegalHold.objects.get(pk=hold_id)
        record(
            "archive.legal_hold_released",
            subject=hold.subject_ref or f"user:{hold.user_id}",
            actor=actor,
            payload={"hold_id": hold.pk, "user_id": hold.user_id, "subject_ref": hold.subject_ref},
        )
    return bool(updated)
