"""The content state machine's moves outside review: a new version, expiry, recall.

``begin_new_version`` is the state-machine part of ``advocacy.content.services.edit_item`` (which writes the
version); ``expire_item`` is run by the beat (``services.expire_due_items``); ``recall_item`` is a compliance
officer's withdrawal of approved content. The review decisions are in ``decisions``.

A recall also stops the item's tracked links and cancels its shares, after commit: that follow-up belongs to
the apps built on content, so every recall goes through ``compliance.review.recall.recall_content``, which
calls ``recall_item`` and then them (content imports neither).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content import policies
from advocacy.content.models import ContentItem, ContentVersion, ItemStatus, ReviewDecision, VersionStatus
from advocacy.content.workflow.decisions import notify_author
from advocacy.content.workflow.states import (
    TRANSITIONS,
    InvalidTransition,
    NotAllowed,
    guard,
    lock,
    require_text,
)
from compliance.archive.services import record


@transaction.atomic
def begin_new_version(*, item: ContentItem, version: ContentVersion, actor) -> ContentItem:
    """Point ``item`` at its freshly written ``version`` and send it back to draft.

    Called by ``edit_item`` with the item already locked. The previous version keeps its status (an
    approved version stays approved: its approval covers its own texts only), except a submitted one,
    which is superseded so that no reviewer decides on words that are no longer current.
    """
    guard(item, "edit")
    previous_id = item.current_version_id
    before = item.status
    if previous_id:
        ContentVersion.objects.filter(pk=previous_id, status=VersionStatus.SUBMITTED).update(
            status=VersionStatus.SUPERSEDED
        )
    item.current_version = version
    item.status = ItemStatus.DRAFT
    item.approved_at = None
    item.save(update_fields=["current_version", "status", "approved_at", "updated_at"])
    record(
        "content.version_created",
        subject=version,
        actor=actor,
        payload={
            "item": item.pk,
            "version_id": version.pk,
            "version_number": version.number,
            "text": version.text,
            "link_url": version.link_url,
            "variants": [v.text for v in version.variants.all()],
            "previous_version_id": previous_id,
            "status_before": before,
        },
    )
    return item


@transaction.atomic
def expire_item(*, item: ContentItem) -> ContentItem:
    """Approved content whose end date has passed leaves the library. Refuses before ``expires_at``: ending
    content early is a recall, which needs a reason."""
    item = lock(item.pk)
    guard(item, "expire")
    now = timezone.now()
    if item.expires_at is None or item.expires_at > now:
        raise InvalidTransition(_("This content has not reached its end date."))
    item.status = TRANSITIONS["expire"][1]
    item.save(update_fields=["status", "updated_at"])
    record(
        "content.expired",
        subject=item,
        actor=None,
        payload={
            "item": item.pk,
            "version_id": item.current_version_id,
            "expires_at": item.expires_at.isoformat(),
        },
    )
    return item


@transaction.atomic
def recall_item(*, item: ContentItem, actor, reason: str) -> ReviewDecision:
    """Withdraw approved (or expired) content because something is wrong with it. Call it through
    ``compliance.review.recall.recall_content``, which then stops the links and the shares."""
    reason = require_text(reason, _("Give the reason for the recall."))
    item = lock(item.pk)
    guard(item, "recall")
    if not policies.can_recall(actor, item):
        raise NotAllowed(_("Only compliance officers may recall content."))
    decision = ReviewDecision.objects.create(
        item=item,
        version_id=item.current_version_id,
        reviewer=actor,
        kind=ReviewDecision.Kind.RECALL,
        comment=reason,
    )
    before = item.status
    item.status = TRANSITIONS["recall"][1]
    item.save(update_fields=["status", "updated_at"])
    record(
        "content.recalled",
        subject=item,
        actor=actor,
        payload={
            "item": item.pk,
            "version_id": item.current_version_id,
            "reason": reason,
            "status_before": before,
            "decision": decision.pk,
        },
    )
    notify_author(decision)
    return decision
