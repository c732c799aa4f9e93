"""One mapping from a status to its badge, for every page: ``{% status_badge obj %}``.

Which colour a status gets was decided template by template, so one page showed a rejected draft in red and
the next in grey. Here each enum has one dict (status value -> badge class; a status absent from it gets the
plain badge), and every page renders statuses through the tag. It lives in the portal, the shell above every
app, so that it may name each app's enum.

``{% status_badge obj %}`` shows ``obj.status``; ``{% status_badge decision "kind" %}`` another field.
``{% outcome_badge obj.outcome %}`` shows what a run came to (``OUTCOME_BADGES``).
``{% verification_badge verification %}`` shows the archive chain's last verification (or that none ran).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import RosterImport
from advocacy.campaigns.models import Campaign
from advocacy.clients.models import ClientImport
from advocacy.content.models import ContentItem, ItemStatus, ReviewDecision
from advocacy.networks.usage.models import ApiCall
from advocacy.networks.x.models import XAccount
from advocacy.replies.models import Reply, ReplyStatus
from advocacy.shares.models import Share, ShareStatus
from compliance.archive.models import ArchiveExport
from compliance.supervision.models import SupervisionItem

register = template.Library()

OK, WARN, BAD = "badge-ok", "badge-warn", "badge-bad"

# (model, field) -> {value: badge class}. A value not listed is shown as a plain badge.
BADGES: dict[tuple[type, str], dict[str, str]] = {
    (Share, "status"): {ShareStatus.OUTCOME_UNKNOWN: WARN, ShareStatus.UNCONFIRMED: WARN},
    (ContentItem, "status"): {
        ItemStatus.APPROVED: OK,
        ItemStatus.CHANGES_REQUESTED: WARN,
        ItemStatus.REJECTED: BAD,
        ItemStatus.RECALLED: BAD,
    },
    (ReviewDecision, "kind"): {
        ReviewDecision.Kind.APPROVE: OK,
        ReviewDecision.Kind.REQUEST_CHANGES: WARN,
        ReviewDecision.Kind.REJECT: BAD,
        ReviewDecision.Kind.RECALL: BAD,
    },
    (Campaign, "status"): {
        Campaign.Status.SCHEDULED: OK,
        Campaign.Status.CANCELLED: WARN,
        Campaign.Status.FAILED: BAD,
    },
    (ArchiveExport, "status"): {
        ArchiveExport.Status.PENDING: WARN,
        ArchiveExport.Status.RUNNING: WARN,
        ArchiveExport.Status.DONE: OK,
        ArchiveExport.Status.FAILED: BAD,
    },
    (RosterImport, "status"): {
        RosterImport.Status.RUNNING: WARN,
        RosterImport.Status.DONE: OK,
        RosterImport.Status.FAILED: BAD,
    },
    (XAccount, "status"): {XAccount.Status.CONNECTED: OK, XAccount.Status.DISCONNECTED: BAD},
    (Reply, "status"): {
        ReplyStatus.SENT: OK,
        ReplyStatus.OUTCOME_UNKNOWN: WARN,
        ReplyStatus.UNCONFIRMED: WARN,
        ReplyStatus.FAILED: BAD,
    },
    (SupervisionItem, "decision"): {
        SupervisionItem.Decision.REVIEWED: OK,
        SupervisionItem.Decision.ESCALATED: BAD,
    },
    (ApiCall, "status"): {ApiCall.Status.FAILED: BAD, ApiCall.Status.UNAVAILABLE: WARN},
}

# What a run came to, where its status alone misleads: an import whose every row was refused is "Done", a
# campaign that excluded every adviser is "Shares scheduled". Each ``Outcome`` enum -> {value: badge class}.
OUTCOME_BADGES: dict[type, dict[str, str]] = {
    RosterImport.Outcome: {
        RosterImport.Outcome.RUNNING: WARN,
        RosterImport.Outcome.IMPORTED: OK,
        RosterImport.Outcome.WITH_ERRORS: WARN,
        RosterImport.Outcome.NOTHING_IMPORTED: BAD,
        RosterImport.Outcome.FAILED: BAD,
    },
    ClientImport.Outcome: {
        ClientImport.Outcome.RUNNING: WARN,
        ClientImport.Outcome.IMPORTED: OK,
        ClientImport.Outcome.WITH_ERRORS: WARN,
        ClientImport.Outcome.NOTHING_IMPORTED: BAD,
        ClientImport.Outcome.FAILED: BAD,
    },
    Campaign.Outcome: {
        Campaign.Outcome.SCHEDULED: OK,
        Campaign.Outcome.NOTHING_SCHEDULED: WARN,
        Campaign.Outcome.CANCELLED: WARN,
        Campaign.Outcome.FAILED: BAD,
    },
}

# The archive chain's last verification: intact, failed, or none yet.
VERIFICATION_BADGES = {
    "intact": (OK, _("Chain intact")),
    "failed": (BAD, _("Verification failed")),
    "none": (WARN, _("Not verified yet")),
    "running": (WARN, _("Verification under way")),
}


def badge_class(obj, field: str = "status") -> str:
    """The badge class of ``obj``'s ``field`` ("" for a plain badge)."""
    for model in type(obj).__mro__:
        if (model, field) in BADGES:
            return BADGES[(model, field)].get(getattr(obj, field), "")
    raise LookupError(f"No badge mapping for {type(obj).__name__}.{field}")


def _badge(css: str, label) -> str:
    return format_html('<span class="badge{}">{}</span>', f" {css}" if css else "", label)


@register.simple_tag
def status_badge(obj, field: str = "status") -> str:
    return _badge(badge_class(obj, field), getattr(obj, f"get_{field}_display")())


@register.simple_tag
def outcome_badge(outcome) -> str:
    """``{% outcome_badge roster_import.outcome %}``: an ``Outcome`` member, with its mapped class."""
    return _badge(OUTCOME_BADGES[type(outcome)].get(outcome, ""), outcome.label)


@register.simple_tag
def verification_badge(verification) -> str:
    if verification is None:
        state = "none"
    elif verification.in_progress:
        state = "running"
    else:
        state = "intact" if verification.ok else "failed"
    css, label = VERIFICATION_BADGES[state]
    return _badge(css, label)
