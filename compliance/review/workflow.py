"""The content review workflow: every status change of a content item or version happens here.

Each transition is a guarded function: it locks the item row (``select_for_update``), refuses from a state
that ``TRANSITIONS`` does not list (``InvalidTransition``), writes the new state, records an archive event,
and leaves follow-up work (e-mails) to ``transaction.on_commit`` so that nothing is sent for a change that
was rolled back. Editing content is ``advocacy.content.services.edit_item``, which uses ``begin_new_version``
below for its part of the state machine.

Approval binds to texts, not rows: approving records one ``ApprovedText`` per publishable text of the
version (see ``advocacy.content.models``), with its fingerprint, and the decision lists the fingerprints.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content.models import (
    ApprovedText,
    ContentItem,
    ContentVersion,
    ItemStatus,
    ReviewDecision,
    VersionStatus,
)
from compliance.archive.services import record
from compliance.review import policies

S = ItemStatus
# action -> (item statuses it may start from, item status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED}), S.DRAFT),
    "submit": (frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED),
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED),
    "request_changes": (frozenset({S.SUBMITTED}), S.CHANGES_REQUESTED),
    "reject": (frozenset({S.SUBMITTED}), S.REJECTED),
    "expire": (frozenset({S.APPROVED}), S.EXPIRED),
    "recall": (frozenset({S.APPROVED, S.EXPIRED}), S.RECALLED),
}


class WorkflowError(Exception):
    """Base of every refusal; ``str(exc)`` is a translated sentence fit for the person who acted."""


class InvalidTransition(WorkflowError, ValueError):
    pass


class FourEyesViolation(WorkflowError, PermissionError):
    pass


class NotAllowed(WorkflowError, PermissionError):
    pass


class ReasonRequired(WorkflowError, ValueError):
    pass


class BlockingFindings(WorkflowError, ValueError):
    """The automatic checks found something that must be fixed; ``findings`` lists them (dicts)."""

    def __init__(self, message: str, findings: list[dict]):
        super().__init__(message)
        self.findings = findings


class FindingsNotAcknowledged(WorkflowError, ValueError):
    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


# --- Guards ---------------------------------------------------------------------------------------------
def can_move(item: ContentItem, action: str) -> bool:
    return item.status in TRANSITIONS[action][0]


def _guard(item: ContentItem, action: str) -> str:
    allowed_from, to = TRANSITIONS[action]
    if item.status not in allowed_from:
        raise InvalidTransition(
            _("This content is %(status)s: it cannot be %(action)s now.")
            % {"status": item.get_status_display().lower(), "action": _ACTION_WORDS[action]()}
        )
    return to


_ACTION_WORDS = {
    "edit": lambda: _("edited"),
    "submit": lambda: _("submitted for review"),
    "approve": lambda: _("approved"),
    "request_changes": lambda: _("sent back for changes"),
    "reject": lambda: _("rejected"),
    "expire": lambda: _("expired"),
    "recall": lambda: _("recalled"),
}


def _lock(item_id: int) -> ContentItem:
    return ContentItem.objects.select_for_update().get(pk=item_id)


def _lock_version(version: ContentVersion, action: str) -> tuple[ContentItem, ContentVersion]:
    """Lock the item, then re-read the version: the caller's copy may be stale."""
    item = _lock(version.item_id)
    version = ContentVersion.objects.select_for_update().get(pk=version.pk)
    version.item = item
    _guard(item, action)
    if item.current_version_id != version.pk:
        raise InvalidTransition(_("A newer version of this content exists: review that one instead."))
    return item, version


def _require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ReasonRequired(message)
    return value


def _check_reviewer(item: ContentItem, version: ContentVersion, reviewer) -> None:
    from advocacy.content.selectors import editors_of

    if reviewer.pk in editors_of(item):
        raise FourEyesViolation(
            _("You wrote or edited this content: another compliance officer must review it (four eyes).")
        )
    already = ReviewDecision.objects.filter(
        version=version,
        reviewer=reviewer,
        kind=ReviewDecision.Kind.APPROVE,
        created_at__gte=version.submitted_at,
    )
    if version.submitted_at and already.exists():
        raise FourEyesViolation(
            _("You already approved this version: a second, different officer must decide.")
        )
    if not policies.can_review(reviewer, version):
        raise NotAllowed(_("You may not review this version."))


def _notify(decision: ReviewDecision) -> None:
    from advocacy.content.tasks import notify_decision

    transaction.on_commit(functools.partial(notify_decision.delay, decision.pk))


# --- Automatic checks -----------------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def finding_id(fp: str, finding: dict) -> str:
    """Stable across re-checks of the same text under the same rules, so an acknowledgement given on the
    review page still matches when the approval re-runs the checks."""
    rule = finding.get("rule_id") or ""
    return f"{fp[:12]}:{finding.get('code')}:{rule}:{finding.get('start')}-{finding.get('end')}"


def run_checks(version: ContentVersion) -> dict[str, dict]:
    """Check every publishable text of ``version``. Returns {fingerprint: {text, variant, slots, findings}},
    each finding a dict with its ``id`` and whether it ``blocks``. Runs the database-backed checks of
    ``compliance.review.checking`` (no network)."""
    from advocacy.content.selectors import publishable_texts
    from compliance.review.checking import check_publishable_text, check_version

    candidates = publishable_texts(version)
    reports = check_version(version)
    result: dict[str, dict] = {}
    for text in candidates:
        report = reports.get(text.fingerprint)
        if report is None:  # the checker saw another text set (audience changed in between): check this one
            report = check_publishable_text(str(text), item=version.item)
        blocking = list(report.blocking)
        findings = []
        for finding in report.findings:
            data = _plain(finding.to_dict() if hasattr(finding, "to_dict") else dataclasses.asdict(finding))
            data["blocks"] = any(finding is b or finding == b for b in blocking)
            data["id"] = finding_id(text.fingerprint, data)
            findings.append(data)
        result[text.fingerprint] = {
            "text": str(text),
            "variant": text.variant_id,
            "slots": text.slots,
            "findings": findings,
        }
    return result


def blocking_findings(checked: dict[str, dict]) -> list[dict]:
    return [
        {**f, "text": entry["text"]} for entry in checked.values() for f in entry["findings"] if f["blocks"]
    ]


def findings_to_acknowledge(checked: dict[str, dict]) -> list[dict]:
    """Every finding that does not block (warnings, needs-disclosure notes): each needs a reviewer's tick."""
    return [
        {**f, "text": entry["text"]}
        for entry in checked.values()
        for f in entry["findings"]
        if not f["blocks"]
    ]


# --- Transitions ----------------------------------------------------------------------------------------
@transaction.atomic
def begin_new_version(*, item: ContentItem, version: ContentVersion, actor) -> ContentItem:
    """Point ``item`` at its freshly written ``version`` and send it back to draft.

    Called by ``edit_item`` with the item already locked. The previous version keeps its status (an
    approved version stays approved: its approval covers its own texts only), except a submitted one,
    which is superseded so that no reviewer decides on words that are no longer current.
    """
    _guard(item, "edit")
    previous_id = item.current_version_id
    before = item.status
    if previous_id:
        ContentVersion.objects.filter(pk=previous_id, status=VersionStatus.SUBMITTED).update(
            status=VersionStatus.SUPERSEDED
        )
    item.current_version = version
    item.status = S.DRAFT
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
def submit_for_review(*, version: ContentVersion, actor) -> ContentVersion:
    """Run the automatic checks on every publishable text and, if nothing blocks, hand the version to
    compliance. A blocking finding refuses the submission (``BlockingFindings``) and changes nothing."""
    item, version = _lock_version(version, "submit")
    if not policies.can_edit(actor, item):
        raise NotAllowed(_("You may not submit this content."))
    if version.status not in (VersionStatus.DRAFT, VersionStatus.CHANGES_REQUESTED):
        raise InvalidTransition(_("This version was already decided on: edit the content to make a new one."))
    checked = run_checks(version)
    blocking = blocking_findings(checked)
    if blocking:
        raise BlockingFindings(_("The automatic checks found problems to fix before submitting."), blocking)
    now = timezone.now()
    version.status, version.submitted_at, version.findings = VersionStatus.SUBMITTED, now, checked
    version.save(update_fields=["status", "submitted_at", "findings"])
    item.status = TRANSITIONS["submit"][1]
    item.save(update_fields=["status", "updated_at"])
    record(
        "content.submitted",
        subject=version,
        actor=actor,
        payload={
            "item": item.pk,
            "version_id": version.pk,
            "version_number": version.number,
            "texts": len(checked),
            "fingerprints": sorted(checked),
            "findings": [f for entry in checked.values() for f in entry["findings"]],
        },
    )
    return version


def _two_approvers_needed(item: ContentItem) -> bool:
    return item.category in settings.REVIEW_TWO_APPROVER_CATEGORIES


@transaction.atomic
def approve_version(
    *, version: ContentVersion, reviewer, comment: str = "", acknowledged_finding_ids: Iterable[str] = ()
) -> ReviewDecision:
    """Approve a submitted version. The checks run again (rules may have changed since submission): a
    blocking finding refuses, and every other finding must be among ``acknowledged_finding_ids``.

    In a category that needs two approvers, the first approval is recorded (``final=False``) and the
    version stays submitted; a second, different officer's approval approves it.
    """
    item, version = _lock_version(version, "approve")
    _check_reviewer(item, version, reviewer)
    checked = run_checks(version)
    blocking = blocking_findings(checked)
    if blocking:
        raise BlockingFindings(
            _("The automatic checks now block this text: request changes instead."), blocking
        )
    acknowledged = set(acknowledged_finding_ids)
    missing = sorted({f["id"] for f in findings_to_acknowledge(checked)} - acknowledged)
    if missing:
        raise FindingsNotAcknowledged(
            _("Confirm that you have read every warning before approving."), missing
        )
    fingerprints = sorted(checked)
    earlier = ReviewDecision.objects.filter(
        version=version, kind=ReviewDecision.Kind.APPROVE, created_at__gte=version.submitted_at
    )
    final = not _two_approvers_needed(item) or earlier.exists()
    decision = ReviewDecision.objects.create(
        item=item,
        version=version,
        reviewer=reviewer,
        kind=ReviewDecision.Kind.APPROVE,
        comment=comment.strip(),
        acknowledged_findings=sorted(acknowledged),
        fingerprints=fingerprints,
        final=final,
    )
    if final:
        ApprovedText.objects.bulk_create(
            [
                ApprovedText(
                    version=version,
                    variant_id=entry["variant"],
                    slots=entry["slots"],
                    text=entry["text"],
                    fingerprint=fp,
                )
                for fp, entry in checked.items()
            ]
        )
        version.status = VersionStatus.APPROVED
        version.save(update_fields=["status"])
        item.status, item.approved_at = TRANSITIONS["approve"][1], timezone.now()
        item.save(update_fields=["status", "approved_at", "updated_at"])
    record(
        "review.approved" if final else "review.first_approval",
        subject=version,
        actor=reviewer,
        payload={
            "item": item.pk,
            "version_id": version.pk,
            "version_number": version.number,
            "decision": decision.pk,
            "comment": decision.comment,
            "fingerprints": fingerprints,
            "acknowledged_findings": sorted(acknowledged),
            "approvals": earlier.count(),  # this decision included (the queryset is read now)
            "approvals_required": 2 if _two_approvers_needed(item) else 1,
        },
    )
    _notify(decision)
    return decision


@transaction.atomic
def request_changes(*, version: ContentVersion, reviewer, comment: str) -> ReviewDecision:
    comment = _require_text(comment, _("Tell the author what to change."))
    item, version = _lock_version(version, "request_changes")
    _check_reviewer(item, version, reviewer)
    return _decide(
        item,
        version,
        reviewer,
        ReviewDecision.Kind.REQUEST_CHANGES,
        comment,
        VersionStatus.CHANGES_REQUESTED,
        "request_changes",
        "review.changes_requested",
    )


@transaction.atomic
def reject_version(*, version: ContentVersion, reviewer, reason: str) -> ReviewDecision:
    reason = _require_text(reason, _("Give the reason for the rejection."))
    item, version = _lock_version(version, "reject")
    _check_reviewer(item, version, reviewer)
    return _decide(
        item,
        version,
        reviewer,
        ReviewDecision.Kind.REJECT,
        reason,
        VersionStatus.REJECTED,
        "reject",
        "review.rejected",
    )


def _decide(item, version, reviewer, kind, comment, version_status, action, event) -> ReviewDecision:
    decision = ReviewDecision.objects.create(
        item=item, version=version, reviewer=reviewer, kind=kind, comment=comment
    )
    version.status = version_status
    version.save(update_fields=["status"])
    item.status = TRANSITIONS[action][1]
    item.save(update_fields=["status", "updated_at"])
    record(
        event,
        subject=version,
        actor=reviewer,
        payload={
            "item": item.pk,
            "version_id": version.pk,
            "version_number": version.number,
            "decision": decision.pk,
            "comment": comment,
        },
    )
    _notify(decision)
    return decision


@transaction.atomic
def expire_item(*, item: ContentItem) -> ContentItem:
    """Approved content whose end date has passed leaves the library. Refuses before ``expires_at``: ending
    content early is a recall, which needs a reason."""
    item = _lock(item.pk)
    _guard(item, "expire")
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
    """Withdraw approved (or expired) content because something is wrong with it. After commit the
    publishing engine cancels pending shares and deletes live posts (it also re-checks the item's status
    before every send, so nothing is sent in between)."""
    reason = _require_text(reason, _("Give the reason for the recall."))
    item = _lock(item.pk)
    _guard(item, "recall")
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
    _notify(decision)
    # Tracked links stop now, in this process, for every web process (the shared cache), without waiting for
    # a worker; then cancel pending shares and delete live posts now, not at the next beat sweep.
    from advocacy.publishing import links
    from advocacy.publishing.tasks import recall_item_shares

    transaction.on_commit(functools.partial(links.stop_item, item.pk))
    transaction.on_commit(functools.partial(recall_item_shares.delay, item.pk))
    return decision
