"""The review decisions on a content version: submit it, approve it, request changes, reject it.

They are transitions of the content state machine (``states.TRANSITIONS``), here beside it so that every
move of an item goes through this package. Each locks the item row, refuses from a state the table does not
list, writes the new state, records an archive event and leaves the e-mail to ``transaction.on_commit``.

Approval binds to texts, not rows: approving records one ``ApprovedText`` per publishable text of the
version (see ``advocacy.content.models``), with its fingerprint, and the decision lists the fingerprints.
The automatic checks run through ``advocacy.content.compliance_checks`` (rules belong to the review app,
which provides them): at submission, and again at approval, since rules may have changed in between.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content import compliance_checks as checks
from advocacy.content import policies
from advocacy.content.models import (
    ApprovedText,
    ContentItem,
    ContentVersion,
    ReviewDecision,
    VersionStatus,
)
from advocacy.content.selectors import editors_of
from advocacy.content.workflow.states import (
    TRANSITIONS,
    BlockingFindings,
    FindingsNotAcknowledged,
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    lock_version,
    require_text,
)
from compliance.archive.services import record


def _check_reviewer(item: ContentItem, version: ContentVersion, reviewer) -> None:
    if reviewer.pk in editors_of(item):
        raise FourEyesViolation(policies.own_content_refusal(reviewer))
    already = ReviewDecision.objects.filter(
        version=version,
        reviewer=reviewer,
        kind=ReviewDecision.Kind.APPROVE,
        created_at__gte=version.submitted_at,
    )
    if version.submitted_at and already.exists():
        raise FourEyesViolation(policies.second_approval_refusal(reviewer))
    if not policies.can_review(reviewer, version):
        raise NotAllowed(_("You may not review this version."))


def notify_author(decision: ReviewDecision) -> None:
    """E-mail the item's author about ``decision`` once it is committed (a recall is a decision too)."""
    from advocacy.content.tasks import notify_decision  # tasks import services, which import this package

    transaction.on_commit(functools.partial(notify_decision.delay, decision.pk))


# --- What the checks' result asks of a decision ---------------------------------------------------------
def blocking_findings(checked: dict[str, dict]) -> list[dict]:
    """Findings that refuse a submission or an approval, each with its text (``checks.run_checks`` form)."""
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
def submit_for_review(*, version: ContentVersion, actor) -> ContentVersion:
    """Run the automatic checks on every publishable text and, if nothing blocks, hand the version to
    compliance. A blocking finding refuses the submission (``BlockingFindings``) and changes nothing."""
    item, version = lock_version(version, "submit")
    if not policies.can_edit(actor, item):
        raise NotAllowed(_("You may not submit this content."))
    if version.status not in (VersionStatus.DRAFT, VersionStatus.CHANGES_REQUESTED):
        raise InvalidTransition(_("This version was already decided on: edit the content to make a new one."))
    checked = checks.run_checks(version)
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
    return policies.approvals_required(item) > 1


@transaction.atomic
def approve_version(
    *, version: ContentVersion, reviewer, comment: str = "", acknowledged_finding_ids: Iterable[str] = ()
) -> ReviewDecision:
    """Approve a submitted version. The checks run again (rules may have changed since submission): a
    blocking finding refuses, and every other finding must be among ``acknowledged_finding_ids``.

    In a category that needs two approvers, the first approval is recorded (``final=False``) and the
    version stays submitted; a second, different officer's approval approves it.
    """
    item, version = lock_version(version, "approve")
    _check_reviewer(item, version, reviewer)
    checked = checks.run_checks(version)
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
    notify_author(decision)
    return decision


@transaction.atomic
def request_changes(*, version: ContentVersion, reviewer, comment: str) -> ReviewDecision:
    comment = require_text(comment, _("Tell the author what to change."))
    item, version = lock_version(version, "request_changes")
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
    reason = require_text(reason, _("Give the reason for the rejection."))
    item, version = lock_version(version, "reject")
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
    notify_author(decision)
    return decision
