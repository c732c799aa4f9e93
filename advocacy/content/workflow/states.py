"""The content state machine's table, its refusals and its guards: what every transition starts with.

``TRANSITIONS`` is the one list of allowed moves of a ``ContentItem``; each transition function (in
``lifecycle`` and ``decisions``) locks the item row, calls ``guard`` and refuses from any other state.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from advocacy.content.models import ContentItem, ContentVersion, ItemStatus
from advocacy.web import generations

# action -> (item statuses it may start from, item status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (
        frozenset(
            {ItemStatus.DRAFT, ItemStatus.SUBMITTED, ItemStatus.CHANGES_REQUESTED, ItemStatus.APPROVED}
        ),
        ItemStatus.DRAFT,
    ),
    "submit": (frozenset({ItemStatus.DRAFT, ItemStatus.CHANGES_REQUESTED}), ItemStatus.SUBMITTED),
    "approve": (frozenset({ItemStatus.SUBMITTED}), ItemStatus.APPROVED),
    "request_changes": (frozenset({ItemStatus.SUBMITTED}), ItemStatus.CHANGES_REQUESTED),
    "reject": (frozenset({ItemStatus.SUBMITTED}), ItemStatus.REJECTED),
    "expire": (frozenset({ItemStatus.APPROVED}), ItemStatus.EXPIRED),
    "recall": (frozenset({ItemStatus.APPROVED, ItemStatus.EXPIRED}), ItemStatus.RECALLED),
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


def can_move(item: ContentItem, action: str) -> bool:
    return item.status in TRANSITIONS[action][0]


def guard(item: ContentItem, action: str) -> str:
    """The status ``action`` leads to; ``InvalidTransition`` when the item's status does not allow it.

    Every transition passes here, so this is where the reads cached from what is approved (the campaign
    highlights) are told that it changes, when a move enters or leaves "approved": ``generations.bump``, now
    and on commit (a move rolled back only costs those entries a rebuild)."""
    allowed_from, to = TRANSITIONS[action]
    if item.status not in allowed_from:
        raise InvalidTransition(
            _("This content is %(status)s: it cannot be %(action)s now.")
            % {"status": item.get_status_display().lower(), "action": _ACTION_WORDS[action]()}
        )
    if (item.status == ItemStatus.APPROVED) != (to == ItemStatus.APPROVED):
        generations.bump(generations.LIBRARY)
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


def lock(item_id: int) -> ContentItem:
    return ContentItem.objects.select_for_update().get(pk=item_id)


def lock_version(version: ContentVersion, action: str) -> tuple[ContentItem, ContentVersion]:
    """Lock the item, then re-read the version: the caller's copy may be stale."""
    item = lock(version.item_id)
    version = ContentVersion.objects.select_for_update().get(pk=version.pk)
    version.item = item
    guard(item, action)
    if item.current_version_id != version.pk:
        raise InvalidTransition(_("A newer version of this content exists: review that one instead."))
    return item, version


def require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ReasonRequired(message)
    return value
