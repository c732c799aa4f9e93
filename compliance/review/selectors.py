"""Reads for the compliance screens: rule packs, the review queue, one version's review page, home panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.content import workflow
from advocacy.content.models import Category, ContentVersion, ItemStatus, JobOffer
from advocacy.content.policies import (
    approvals_given,
    approvals_required,
    can_review,
    own_content_refusal,
    reviewable_categories,
    versions_reviewable_by,
    with_approvals_given,
)
from advocacy.content.presentation import word_diff
from advocacy.content.selectors import editors_of
from advocacy.org.models import Branch, Role
from advocacy.org.selectors import roles_of
from compliance.review import checking, expansions
from compliance.review.models import RulePack


def rule_packs() -> QuerySet[RulePack]:
    return RulePack.objects.annotate(active_rules=Count("rules", filter=Q(rules__active=True))).order_by(
        "-active", "name"
    )


def review_age_target_hours() -> int:
    return settings.REVIEW_AGE_TARGET_HOURS


def category_choices() -> list[tuple[str, str]]:
    """Content categories (CONTENT's choices)."""
    return list(Category.choices)


@dataclass(frozen=True)
class QueueFilters:
    category: str = ""
    branch: int | None = None
    min_age_hours: int | None = None
    severity: str = ""

    @classmethod
    def from_query(cls, query) -> QueueFilters:
        def as_int(name: str) -> int | None:
            try:
                value = int(query.get(name, ""))
            except ValueError:
                return None
            return value if value >= 0 else None

        severity = query.get("severity", "")
        return cls(
            category=query.get("category", "")[:40],
            branch=as_int("branch"),
            min_age_hours=as_int("age"),
            severity=severity if severity in ("block", "warn", "needs_disclosure", "none") else "",
        )

    def querystring(self) -> str:
        pairs = {
            "category": self.category,
            "branch": self.branch,
            "age": self.min_age_hours,
            "severity": self.severity,
        }
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})


def queue_age_cutoff(hours: int):
    return timezone.now() - timedelta(hours=hours)


# --- Review queue -----------------------------------------------------------------------------------------
def _waiting_since_field() -> str:
    """When the version entered review."""
    return "submitted_at"


def _severities(findings) -> list[str]:
    """Severities of the findings CONTENT stored on a version at submission: per fingerprint, the text and
    its findings (``{fp: {"text": ..., "findings": [{"severity": ...}, ...]}}``); a flat list also reads."""
    if isinstance(findings, dict):
        flat = []
        for value in findings.values():
            if isinstance(value, dict):
                value = value.get("findings", [])
            if isinstance(value, list):
                flat.extend(value)
        findings = flat
    return [str(f.get("severity", "")) for f in findings or () if isinstance(f, dict)]


def review_queue(user, *, filters: QueueFilters) -> QuerySet:
    """Versions waiting for this reviewer, oldest first, with what the queue rows show joined in.

    Costs a fixed number of queries whatever the length of the queue (the severity filter reads the stored
    findings of the waiting versions in one query)."""
    waited = _waiting_since_field()
    versions = with_approvals_given(
        versions_reviewable_by(user).select_related("item", "created_by__staff__branch")
    )
    if filters.category:
        versions = versions.filter(item__category=filters.category)
    if filters.branch is not None:
        versions = versions.filter(created_by__staff__branch_id=filters.branch)
    if filters.min_age_hours is not None:
        versions = versions.filter(**{f"{waited}__lte": queue_age_cutoff(filters.min_age_hours)})
    if filters.severity:
        wanted = {
            pk
            for pk, findings in versions.values_list("pk", "findings")
            if (filters.severity in _severities(findings))
            or (filters.severity == "none" and not _severities(findings))
        }
        versions = versions.filter(pk__in=wanted)
    return versions.order_by(waited, "pk")


def _hours_since(moment) -> int:
    if moment is None:
        return 0
    return max(0, int((timezone.now() - moment).total_seconds() // 3600))


def _title(version) -> str:
    return version.item.title or " ".join(version.text.split())[:60]


def _person(user) -> str:
    return user.get_full_name() or user.email


@dataclass(frozen=True)
class ApprovalProgress:
    """Where a submitted version stands between its approvals: what the reviewer and the queue say, so
    nobody reads a first approval of two as "approved"."""

    given: int
    required: int

    @property
    def needs_more(self) -> bool:
        return self.required > 1 and self.given < self.required

    @property
    def sentence(self) -> str:
        if not self.needs_more:
            return ""
        if self.given == 0:
            return _("%(required)s approvals needed: two different officers must approve") % {
                "required": self.required
            }
        return _("%(given)s of %(required)s approvals — a second officer must approve") % {
            "given": self.given,
            "required": self.required,
        }


def approval_progress(version, *, given: int | None = None) -> ApprovalProgress:
    if given is None:
        given = approvals_given(version)
    return ApprovalProgress(given=given, required=approvals_required(version.item))


def queue_rows(versions) -> list[dict]:
    """What the queue table shows for each version of a page (no query beyond the page's own)."""
    target = review_age_target_hours()
    waited = _waiting_since_field()
    rows = []
    for version in versions:
        severities = _severities(version.findings)
        staff = getattr(version.created_by, "staff", None)
        age = _hours_since(getattr(version, waited))
        rows.append(
            {
                "version_id": version.pk,
                "title": _title(version),
                "category": version.item.get_category_display()
                if hasattr(version.item, "get_category_display")
                else version.item.category,
                "author": _person(version.created_by),
                "branch": staff.branch.name if staff and staff.branch_id else "",
                "age_hours": age,
                "overdue": age >= target,
                "blocking": severities.count("block"),
                "warnings": len(severities) - severities.count("block"),
                "approvals": approval_progress(version, given=getattr(version, "approvals_given", 0)),
            }
        )
    return rows


def queue_filter_choices() -> dict:
    target = review_age_target_hours()
    ages = sorted({max(1, target // 2), target, target * 2})
    return {
        "categories": category_choices(),
        # (pk, name) pairs, not instances: the filter lists every branch of the bank (500 at bank scale).
        "branches": list(Branch.objects.order_by("name").values_list("pk", "name")),
        "ages": [(hours, _("%(hours)s h or more") % {"hours": hours}) for hours in ages],
        "severities": [
            ("block", _("Blocking findings")),
            ("needs_disclosure", _("Needs a disclosure")),
            ("warn", _("Warnings")),
            ("none", _("No finding")),
        ],
    }


def queue_summary_for(user) -> dict:
    """The compliance home panel: how many versions wait, and for how long the oldest has waited."""
    waited = _waiting_since_field()
    versions = versions_reviewable_by(user)
    oldest = versions.order_by(waited).values_list(waited, flat=True).first()
    target = review_age_target_hours()
    age = _hours_since(oldest) if oldest else None
    return {
        "waiting": versions.count(),
        "oldest_hours": age,
        "target_hours": target,
        "overdue": age is not None and age >= target,
    }


# --- One version's review page ---------------------------------------------------------------------------
def version_for_review(user, pk: int):
    """Any version a compliance officer may look at (all of them: they also see what they cannot decide on,
    with the reason), or an HR reviewer (versions of the categories they review, ``reviewable_categories``);
    None when it does not exist. Deciding is ``can_review``'s answer, not this one's."""
    versions = ContentVersion.objects.select_related("item", "created_by__staff__branch")
    if Role.COMPLIANCE not in roles_of(user):
        categories = reviewable_categories(user)
        if not categories:
            return None
        versions = versions.filter(item__category__in=categories)
    return versions.filter(pk=pk).first()


def refusal_for(user, version) -> str:
    """Why ``user`` may not decide on ``version`` (empty when they may)."""
    if can_review(user, version):
        return ""
    if user.pk in editors_of(version.item):
        return own_content_refusal(user)
    return _("This version is not waiting for your review.")


def _previous_version(version):
    return version.item.versions.filter(pk__lt=version.pk).order_by("-pk").first()


def _decisions(version) -> list[dict]:
    """Earlier decisions on the item (every version), oldest first."""
    decisions = version.item.decisions.select_related("reviewer", "version").order_by("created_at", "pk")
    return [
        {
            "when": d.created_at,
            "reviewer": _person(d.reviewer),
            "label": d.get_kind_display(),
            "version": d.version.number,
            "comment": d.comment,
        }
        for d in decisions
    ]


def review_page(user, version) -> dict:
    """Everything the review page shows: each publishable text highlighted with its findings (checked now,
    with the current rules, exactly as the approval will re-check them), the diff against the previous
    version, the earlier decisions, and whether this reviewer may decide."""
    checked = checking.run_checks(version)
    limit = checking.max_weighted_length()
    wordings = expansions.wordings_for_review(version, checked, limit=limit)
    previous = _previous_version(version)
    refusal = refusal_for(user, version)
    age = _hours_since(version.submitted_at)
    target = review_age_target_hours()
    staff = getattr(version.created_by, "staff", None)
    item = version.item
    return {
        "version": version,
        "item": item,
        "offer": JobOffer.objects.filter(item=item).select_related("branch").first(),
        "title": _title(version),
        "category": item.get_category_display(),
        "language": item.get_language_display(),
        "author": _person(version.created_by),
        "branch": staff.branch.name if staff and staff.branch_id else "",
        "age_hours": age,
        "target_hours": target,
        "overdue": age >= target,
        # The waiting clock only means something while this version waits for a decision; once decided,
        # recalled or replaced, the page says the item's state instead.
        "waiting": item.status == ItemStatus.SUBMITTED and item.current_version_id == version.pk,
        "wordings": wordings,
        "max_weighted": limit,
        "diff": word_diff(previous.text, version.text) if previous else None,
        "decisions": _decisions(version),
        "warn_choices": expansions.acknowledgement_choices(wordings),
        "blocked": bool(workflow.blocking_findings(checked)),
        "approvals": approval_progress(version),
        "can_decide": not refusal,
        "refusal": refusal,
    }
