"""The content workflow: every status change of a content item or version happens in this package.

One table of allowed moves (``states.TRANSITIONS``) and one guarded function per move: ``begin_new_version``,
``expire_item`` and ``recall_item`` (``lifecycle``), and the review decisions ``submit_for_review``,
``approve_version``, ``request_changes`` and ``reject_version`` (``decisions``). Each locks the item row
(``select_for_update``), refuses from a state the table does not list (``InvalidTransition``), writes the
new state, records an archive event, and leaves follow-up work (e-mails, cancelling shares) to
``transaction.on_commit`` so that nothing happens for a change that was rolled back.

It lives in content, not in the compliance review app, so that the state machine and the decisions sit in
one place that both content's services and the review screens call, and content never imports
``compliance.review`` (the review app depends on content). Import it as ``from advocacy.content import
workflow`` and call ``workflow.approve_version(...)``; the names below are the whole public surface.
"""

from advocacy.content.workflow.decisions import (
    approve_version,
    blocking_findings,
    findings_to_acknowledge,
    reject_version,
    request_changes,
    submit_for_review,
)
from advocacy.content.workflow.lifecycle import begin_new_version, expire_item, recall_item
from advocacy.content.workflow.states import (
    TRANSITIONS,
    BlockingFindings,
    FindingsNotAcknowledged,
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    ReasonRequired,
    WorkflowError,
    can_move,
)

__all__ = [
    "TRANSITIONS",
    "BlockingFindings",
    "FindingsNotAcknowledged",
    "FourEyesViolation",
    "InvalidTransition",
    "NotAllowed",
    "ReasonRequired",
    "WorkflowError",
    "approve_version",
    "begin_new_version",
    "blocking_findings",
    "can_move",
    "expire_item",
    "findings_to_acknowledge",
    "recall_item",
    "reject_version",
    "request_changes",
    "submit_for_review",
]
