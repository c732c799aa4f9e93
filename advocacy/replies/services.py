"""Writing a reply: checked, stored ``queued`` and archived, then handed to the publishing queue.

A blocking finding (personal data above all: a client who gave their IBAN in public must not have it
echoed back) stores nothing and sends nothing; the adviser keeps the text and reads the finding.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from advocacy import texts
from advocacy.networks.x.models import XAccount
from advocacy.relationships.models import Interaction
from advocacy.replies import policy
from advocacy.replies.models import Reply
from compliance.archive.models import ArchiveRecord
from compliance.archive.services import record


@dataclass(frozen=True)
class Outcome:
    reply: Reply | None
    report: object  # the checks' report (compliance.checks.CheckReport)

    @property
    def blocked(self) -> bool:
        return self.reply is None


def new_request_key() -> str:
    return uuid.uuid4().hex


def inbound_record_of(interaction: Interaction) -> ArchiveRecord | None:
    """The ``inbound.received`` record of the post being answered (subject: the adviser; found through the
    archive's index on the person concerned, then the post id in the canonical payload)."""
    if not interaction.post_id.isdigit():
        return None
    return (
        ArchiveRecord.objects.filter(
            event_type="inbound.received",
            subject_user_id=interaction.adviser_id,
            payload_json__contains=f'"post_id":"{interaction.post_id}"',
        )
        .order_by("seq")
        .first()
    )


def person(user) -> dict:
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def queue_reply(*, adviser, interaction: Interaction, text: str, request_key: str) -> Outcome:
    """Check ``text`` and, when nothing blocks, store and archive the reply and enqueue its sending (after
    commit). The same ``request_key`` twice returns the reply made the first time (a double submission)."""
    text = texts.normalise(text)
    report = policy.check_reply(text, adviser=adviser)
    if not report.ok:
        return Outcome(None, report)
    existing = Reply.objects.filter(request_key=request_key, adviser=adviser).first()
    if existing is not None:
        return Outcome(existing, report)
    account = XAccount.objects.filter(user=adviser).only("username").first()
    inbound = inbound_record_of(interaction)
    try:
        with transaction.atomic():
            reply = Reply.objects.create(
                adviser=adviser,
                interaction=interaction,
                inbound_record=inbound,
                in_reply_to_post_id=interaction.post_id,
                conversation_id=interaction.conversation_id,
                text=text,
                request_key=request_key,
                account_username=account.username if account else "",
            )
            record(
                "reply.queued",
                subject=reply,
                actor=adviser,
                payload={
                    "reply": reply.pk,
                    "adviser": person(adviser),
                    "network": "x",
                    "account": reply.account_username,
                    "text": text,
                    "in_reply_to": reply.in_reply_to_post_id,
                    "conversation_id": reply.conversation_id,
                    "inbound_record": inbound.seq if inbound else None,
                    "warnings": [f.to_dict() for f in report.warnings],
                    "status": reply.status,
                },
            )
            transaction.on_commit(functools.partial(_enqueue, reply.pk))
    except IntegrityError:  # the same form, posted twice at once: the other request made it
        return Outcome(Reply.objects.get(request_key=request_key, adviser=adviser), report)
    return Outcome(reply, report)


def _enqueue(reply_id: int) -> None:
    from advocacy.replies.tasks import send_reply

    send_reply.delay(reply_id)
