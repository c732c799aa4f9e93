"""Compliance's dashboard: the review queue against its age target, how long decisions take per category,
which automatic rules fire and which are overridden, recalls and how long their deletions took, and the
gaps in inbound capture.

* Queue: every version waiting for a decision now (whatever the period), by age against
  ``REVIEW_AGE_TARGET_HOURS``.
* Time to decision: for each decision of the period that ends a wait (an approval that approves — the
  second of two where two are needed —, a request for changes, a rejection), the time from the version's
  submission to it. Median and 90th percentile per category, nearest-rank (the same on SQLite and
  PostgreSQL).
* Rules: the findings stored on the versions submitted in the period (a submission that a blocking finding
  refused is not stored, so blocking rules count only what reached review), and the warnings officers
  acknowledged when approving in the period ("overridden": published despite the finding), by rule.
* Recalls of the period, and for the shares whose deletion was asked in the period, how long X took.
* Capture gaps detected in the period.

Nine queries whatever the number of rows (the rules' phrases are read only when a lexicon rule fired).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext

from advocacy.content.models import Category, ContentVersion, ReviewDecision, VersionStatus
from advocacy.dashboards.selectors import Range
from advocacy.relationships.models import CaptureGap
from advocacy.shares.models import Share
from compliance.review.models import LexiconRule

ENDS_A_WAIT = Q(kind=ReviewDecision.Kind.APPROVE, final=True) | Q(
    kind__in=[ReviewDecision.Kind.REQUEST_CHANGES, ReviewDecision.Kind.REJECT]
)


def percentile(values: list[float], p: int) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass
class Queue:
    target_hours: int
    waiting: int
    within_half: int  # waited less than half the target
    within_target: int  # between half and the target
    over_target: int  # past the target, under twice it
    over_twice: int  # twice the target or more
    oldest_hours: int | None

    @property
    def overdue(self) -> int:
        return self.over_target + self.over_twice


@dataclass
class CategoryTimes:
    category: str
    label: str
    decisions: int
    median_hours: float | None
    p90_hours: float | None
    over_target: int


@dataclass
class RuleRow:
    rule: str  # the rule's id when it has one (lexicon rules), else the check's code ("pii.iban")
    check: str
    severity: str
    fired: int = 0
    overridden: int = 0
    phrase: str = ""  # a lexicon rule's phrase

    @property
    def label(self) -> str:
        """What the reader recognises: a lexicon rule's phrase in quotes, else the check's code."""
        return gettext("“%(phrase)s”") % {"phrase": self.phrase} if self.phrase else self.rule


@dataclass
class Deletions:
    requested: int = 0
    deleted: int = 0
    waiting: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None


@dataclass
class Oversight:
    range: Range
    queue: Queue
    categories: list[CategoryTimes]
    rules: list[RuleRow]
    recalls: int
    deletions: Deletions
    gaps: list[CaptureGap] = field(default_factory=list)
    gap_count: int = 0


def _queue(now: dt.datetime) -> Queue:
    target = settings.REVIEW_AGE_TARGET_HOURS
    hours = dt.timedelta(hours=1)
    waiting = ContentVersion.objects.filter(status=VersionStatus.SUBMITTED, submitted_at__isnull=False)
    half, full, twice = now - hours * target / 2, now - hours * target, now - hours * target * 2
    totals = waiting.aggregate(
        waiting=Count("pk"),
        within_half=Count("pk", filter=Q(submitted_at__gt=half)),
        within_target=Count("pk", filter=Q(submitted_at__lte=half, submitted_at__gt=full)),
        over_target=Count("pk", filter=Q(submitted_at__lte=full, submitted_at__gt=twice)),
        over_twice=Count("pk", filter=Q(submitted_at__lte=twice)),
    )
    oldest = waiting.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    oldest_hours = int((now - oldest).total_seconds() // 3600) if oldest else None
    return Queue(target_hours=target, oldest_hours=oldest_hours, **totals)


def _categories(period: Range) -> list[CategoryTimes]:
    target = settings.REVIEW_AGE_TARGET_HOURS
    waits: dict[str, list[float]] = defaultdict(list)
    for category, decided, submitted in (
        ReviewDecision.objects.filter(ENDS_A_WAIT, created_at__gte=period.start, created_at__lt=period.end)
        .exclude(version__submitted_at__isnull=True)
        .values_list("item__category", "created_at", "version__submitted_at")
    ):
        waits[category].append(max((decided - submitted).total_seconds(), 0) / 3600)
    labels = dict(Category.choices)
    return [
        CategoryTimes(
            category=value,
            label=str(labels[value]),
            decisions=len(waits[value]),
            median_hours=percentile(waits[value], 50),
            p90_hours=percentile(waits[value], 90),
            over_target=sum(1 for h in waits[value] if h >= target),
        )
        for value in labels
    ]


def _rule_key(finding: dict) -> str:
    return str(finding.get("rule_id") or finding.get("code") or finding.get("check") or "")


def _rules(period: Range) -> list[RuleRow]:
    rows: dict[str, RuleRow] = {}
    for findings in ContentVersion.objects.filter(
        submitted_at__gte=period.start, submitted_at__lt=period.end
    ).values_list("findings", flat=True):
        for entry in (findings or {}).values() if isinstance(findings, dict) else ():
            for finding in entry.get("findings", []) if isinstance(entry, dict) else ():
                key = _rule_key(finding)
                row = rows.setdefault(
                    key, RuleRow(key, str(finding.get("check", "")), str(finding.get("severity", "")))
                )
                row.fired += 1
    for acknowledged in ReviewDecision.objects.filter(
        kind=ReviewDecision.Kind.APPROVE, created_at__gte=period.start, created_at__lt=period.end
    ).values_list("acknowledged_findings", flat=True):
        for finding_id in acknowledged or ():
            # compliance.review.checking.finding_id: "<fingerprint>:<code>:<rule id>:<start>-<end>"
            parts = str(finding_id).split(":")
            if len(parts) < 4:
                continue
            key = parts[2] or parts[1]
            rows.setdefault(key, RuleRow(key, parts[1].split(".")[0], "")).overridden += 1
    ids = [int(key) for key in rows if key.isdigit()]
    for pk, phrase in LexiconRule.objects.filter(pk__in=ids).values_list("pk", "phrase"):
        rows[str(pk)].phrase = phrase
    return sorted(rows.values(), key=lambda r: (-r.fired, -r.overridden, r.rule))


def _deletions(period: Range) -> Deletions:
    minutes = []
    waiting = 0
    for requested, deleted in Share.objects.filter(
        delete_requested_at__gte=period.start, delete_requested_at__lt=period.end
    ).values_list("delete_requested_at", "deleted_at"):
        if deleted is None:
            waiting += 1
        else:
            minutes.append(max((deleted - requested).total_seconds(), 0) / 60)
    return Deletions(
        requested=len(minutes) + waiting,
        deleted=len(minutes),
        waiting=waiting,
        median_minutes=percentile(minutes, 50),
        p90_minutes=percentile(minutes, 90),
    )


GAPS_SHOWN = 20


def oversight(period: Range, *, now: dt.datetime) -> Oversight:
    recalls = ReviewDecision.objects.filter(
        kind=ReviewDecision.Kind.RECALL, created_at__gte=period.start, created_at__lt=period.end
    ).count()
    gaps = CaptureGap.objects.filter(detected_at__gte=period.start, detected_at__lt=period.end)
    return Oversight(
        range=period,
        queue=_queue(now),
        categories=_categories(period),
        rules=_rules(period),
        recalls=recalls,
        deletions=_deletions(period),
        gaps=list(gaps.select_related("account").order_by("-detected_at", "-pk")[:GAPS_SHOWN]),
        gap_count=gaps.count(),
    )
