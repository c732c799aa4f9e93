"""Who may do what with content: the one place views, tasks, the admin and the workflow ask.

Here, in content, because the workflow (``advocacy.content.workflow``) guards every move with these
answers, reviewers' included (``can_review``); the compliance review app asks the same functions.

Each policy answers both "may this user act on this object" and "which objects may this user act on", so
that a list and the page it links to can never disagree.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from advocacy.content.models import (
    REVIEWER_ROLES,
    Category,
    ComplianceSettings,
    ContentItem,
    ContentVersion,
    ItemStatus,
    Origin,
    ReviewDecision,
    VersionStatus,
)
from advocacy.content.selectors import EVERYONE_CATEGORIES, audience_q, currently_valid_q, library_feed_for
from advocacy.content.workflow.states import TRANSITIONS
from advocacy.org.access import CONTENT_AUTHORS, RECRUITMENT_AUTHORS
from advocacy.org.models import Role
from advocacy.org.selectors import roles_of

# The statuses come from the state machine's table, so a page never offers a move the workflow refuses.
EDITABLE_STATUSES = TRANSITIONS["edit"][0]
SUBMITTABLE_STATUSES = TRANSITIONS["submit"][0]
RECALLABLE_STATUSES = TRANSITIONS["recall"][0]
LIBRARY_AUTHOR_ROLES = CONTENT_AUTHORS.roles  # the role set is declared once, in advocacy.org.access
# HR writes library content of these categories only (job offers), besides compliance and marketing.
RECRUITMENT_AUTHOR_ROLES = RECRUITMENT_AUTHORS.roles
HR_CATEGORIES = frozenset({Category.RECRUITMENT.value})
# Job offers are for every employee to relay, not advisers only: any active member of staff in the offer's
# audience may share one (``can_share``); other categories stay with advisers.
EVERYONE_SHARES_CATEGORIES = EVERYONE_CATEGORIES


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_author_library(user) -> bool:
    """May write library content of at least one category (HR: job offers only, ``can_author_category``)."""
    return _active(user) and bool(roles_of(user) & (LIBRARY_AUTHOR_ROLES | RECRUITMENT_AUTHOR_ROLES))


def authorable_categories(user) -> frozenset[str]:
    """The library categories ``user`` may write: all for compliance and marketing, job offers for HR."""
    if not _active(user):
        return frozenset()
    roles = roles_of(user)
    if roles & LIBRARY_AUTHOR_ROLES:
        return frozenset(Category.values)
    return HR_CATEGORIES if roles & RECRUITMENT_AUTHOR_ROLES else frozenset()


def can_author_category(user, category: str) -> bool:
    return category in authorable_categories(user)


def library_items_authorable_by(user) -> Q:
    """The library items ``user`` may see in the authoring list and edit (HR: job offers only)."""
    categories = authorable_categories(user)
    if categories == frozenset(Category.values):
        return Q(origin=Origin.LIBRARY)
    return Q(origin=Origin.LIBRARY, category__in=sorted(categories))


def reviewable_categories(user) -> list[str]:
    """The categories whose content ``user``'s roles may decide on: every one for compliance officers, job
    offers for an HR reviewer when ``ComplianceSettings.reviewers_by_category`` allows it."""
    roles = roles_of(user)
    if Role.COMPLIANCE in roles:
        return list(Category.values)  # no settings read: compliance reviews everything
    if not roles & REVIEWER_ROLES:
        return []
    config = ComplianceSettings.current()
    return [c for c in Category.values if roles & config.reviewer_roles(c)]


def can_write_drafts(user) -> bool:
    return _active(user) and Role.ADVISER in roles_of(user)


def versions_reviewable_by(user) -> QuerySet[ContentVersion]:
    """Submitted current versions that ``user`` may decide on: the category's reviewers (compliance
    officers by default, ``reviewable_categories``), never on an item they authored or wrote a version of
    (four eyes), nor twice on the same submission."""
    categories = reviewable_categories(user) if _active(user) else []
    if not categories:
        return ContentVersion.objects.none()
    wrote_a_version = ContentVersion.objects.filter(item_id=OuterRef("item_id"), created_by_id=user.pk)
    already_approved = ReviewDecision.objects.filter(
        version_id=OuterRef("pk"),
        reviewer_id=user.pk,
        kind=ReviewDecision.Kind.APPROVE,
        created_at__gte=OuterRef("submitted_at"),
    )
    return (
        ContentVersion.objects.filter(
            status=VersionStatus.SUBMITTED,
            item__status=ItemStatus.SUBMITTED,
            item__current_version_id=F("pk"),
            item__category__in=categories,
        )
        .exclude(item__author_id=user.pk)
        .exclude(Exists(wrote_a_version))
        .exclude(Exists(already_approved))
    )


def approvals_required(item: ContentItem) -> int:
    """How many different officers must approve a version of ``item`` (two in the categories named by
    ``REVIEW_TWO_APPROVER_CATEGORIES``)."""
    return 2 if item.category in settings.REVIEW_TWO_APPROVER_CATEGORIES else 1


def with_approvals_given(versions: QuerySet[ContentVersion]) -> QuerySet[ContentVersion]:
    """``versions`` annotated with ``approvals_given``: approvals since the version was last submitted (a
    first approval of two leaves it submitted). One subquery, whatever the number of rows."""
    given = (
        ReviewDecision.objects.filter(
            version_id=OuterRef("pk"),
            kind=ReviewDecision.Kind.APPROVE,
            created_at__gte=OuterRef("submitted_at"),
        )
        .values("version_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return versions.annotate(approvals_given=Coalesce(Subquery(given), Value(0)))


def approvals_given(version: ContentVersion) -> int:
    if version.submitted_at is None:
        return 0
    return ReviewDecision.objects.filter(
        version=version, kind=ReviewDecision.Kind.APPROVE, created_at__gte=version.submitted_at
    ).count()


def _reviews_as_compliance(user) -> bool:
    return Role.COMPLIANCE in roles_of(user)


def own_content_refusal(user) -> str:
    """Why the author or an editor of an item may not decide on it, worded for who asks: an HR reviewer
    deciding on job offers (``reviewable_categories``) is not sent to "another compliance officer"."""
    if _reviews_as_compliance(user):
        return _("You wrote or edited this content: another compliance officer must review it (four eyes).")
    return _("You wrote or edited this content: another reviewer must decide on it (four eyes).")


def second_approval_refusal(user) -> str:
    """Why a reviewer who already approved this submission may not approve it again (two approvers)."""
    if _reviews_as_compliance(user):
        return _("You already approved this version: a second, different officer must decide.")
    return _("You already approved this version: a second, different reviewer must decide.")


def can_review(user, version: ContentVersion) -> bool:
    return versions_reviewable_by(user).filter(pk=version.pk).exists()


def can_edit(user, item: ContentItem) -> bool:
    """Advisers edit their own drafts; compliance and marketing edit library items. Nobody edits rejected,
    expired or recalled content: those are final (write a new item)."""
    if not _active(user) or item.status not in EDITABLE_STATUSES:
        return False
    if item.origin == Origin.ADVISER_DRAFT:
        return item.author_id == user.pk and Role.ADVISER in roles_of(user)
    return can_author_category(user, item.category)


def can_edit_in_library(user, item: ContentItem) -> bool:
    """The library editor's "Edit" (an adviser's draft is edited in the draft editor)."""
    return item.origin == Origin.LIBRARY and can_edit(user, item)


def can_submit(user, item: ContentItem) -> bool:
    return can_edit(user, item) and item.status in SUBMITTABLE_STATUSES


def edit_needs_new_approval(item: ContentItem | None) -> bool:
    """Saving a change to approved content makes a new version, and the content leaves the library until
    that version is approved: the editor warns first."""
    return item is not None and item.status == TRANSITIONS["approve"][1]


# A draft in these states is shown read-only on its page, with what comes next; changing it stays possible
# but is asked for first, because it withdraws the draft from review or takes it out of the library.
SETTLED_STATUSES = frozenset({ItemStatus.SUBMITTED, ItemStatus.APPROVED})
# The reviewer's comment that the author must act on, shown at the top of the draft it concerns.
FEEDBACK_KINDS = frozenset({ReviewDecision.Kind.REQUEST_CHANGES, ReviewDecision.Kind.REJECT})
FEEDBACK_STATUSES = frozenset({ItemStatus.DRAFT, ItemStatus.CHANGES_REQUESTED, ItemStatus.REJECTED})


def draft_standing(user, item: ContentItem, *, change_asked: bool = False) -> dict[str, bool]:
    """What the draft page offers: the form (``form_open``) while the draft is being written, or when the
    author asked to change a submitted or approved draft; otherwise the draft read-only, saying whether it
    awaits review or is approved and may be shared."""
    editable = can_edit(user, item)
    settled = item.status in SETTLED_STATUSES
    return {
        "form_open": editable and (not settled or change_asked),
        "may_change": editable and settled and not change_asked,
        "awaiting_review": item.status == ItemStatus.SUBMITTED,
        "approved": item.status == TRANSITIONS["approve"][1],
        "final": not editable,
        "change_withdraws": change_asked and item.status == ItemStatus.SUBMITTED,
    }


def feedback_on(item: ContentItem, decisions: list[ReviewDecision]) -> ReviewDecision | None:
    """The latest decision (``decisions`` newest first), when it is a comment the author still has to act
    on: changes requested or a rejection, while the draft has not gone back to review."""
    latest = decisions[0] if decisions else None
    if latest is None or not latest.comment or latest.kind not in FEEDBACK_KINDS:
        return None
    return latest if item.status in FEEDBACK_STATUSES else None


def can_recall(user, item: ContentItem) -> bool:
    return _active(user) and Role.COMPLIANCE in roles_of(user) and item.status in RECALLABLE_STATUSES


def items_visible_to(user) -> QuerySet[ContentItem]:
    """Compliance sees everything; marketing sees the library; advisers see their own drafts and the library
    feed meant for them; anyone else sees the approved, valid library content of their audience."""
    if not _active(user):
        return ContentItem.objects.none()
    roles = roles_of(user)
    if Role.COMPLIANCE in roles:
        return ContentItem.objects.all()
    visible = Q(origin=Origin.LIBRARY, status=ItemStatus.APPROVED) & currently_valid_q() & audience_q(user)
    if Role.MARKETING in roles:
        visible |= Q(origin=Origin.LIBRARY)
    elif roles & RECRUITMENT_AUTHOR_ROLES or Role.HR_REVIEWER in roles:
        visible |= Q(origin=Origin.LIBRARY, category__in=sorted(HR_CATEGORIES))
    if Role.ADVISER in roles:
        visible |= Q(origin=Origin.ADVISER_DRAFT, author_id=user.pk)
    return ContentItem.objects.filter(visible)


def may_share_category(user, category: str) -> bool:
    """The role half of ``can_share``: advisers share every category, any member of staff a job offer."""
    if not getattr(user, "is_active", False):
        return False
    return category in EVERYONE_SHARES_CATEGORIES or Role.ADVISER in roles_of(user)


def can_share(user, item: ContentItem) -> bool:
    """May ``user`` share ``item`` now: an active adviser (any member of staff for a job offer) in the item's
    audience, item approved and valid. Content's answer (audience, status, validity), asked by the share
    page and the share engine."""
    if not may_share_category(user, item.category):
        return False
    if item.status != ItemStatus.APPROVED or item.current_version_id is None:
        return False
    if item.origin == Origin.ADVISER_DRAFT:
        return item.author_id == user.pk
    return library_feed_for(user).filter(pk=item.pk).exists()
