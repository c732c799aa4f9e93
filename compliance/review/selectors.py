"""Reads for the compliance screens: rule packs, the review queue, one version's review page, home panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from compliance.review.models import CategoryRequirement, RulePack

DEFAULT_REVIEW_AGE_TARGET_HOURS = 24


def rule_packs() -> QuerySet[RulePack]:
    return RulePack.objects.annotate(active_rules=Count("rules", filter=Q(rules__active=True))).order_by(
        "-active", "name"
    )


def review_age_target_hours() -> int:
    # REVIEW_AGE_TARGET_HOURS is CONTENT's setting; 24 only while it is not in settings yet.
    return int(getattr(settings, "REVIEW_AGE_TARGET_HOURS", DEFAULT_REVIEW_AGE_TARGET_HOURS))


def category_choices() -> list[tuple[str, str]]:
    """Content categories: CONTENT's choices when they exist, else those compliance settings mention."""
    try:
        from advocacy.content.models import ContentItem

        return list(ContentItem.Category.choices)
    except (ImportError, AttributeError):
        categories = (
            CategoryRequirement.objects.values_list("category", flat=True).distinct().order_by("category")
        )
        return [(c, c) for c in categories]


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
