"""The figures of HR's recruitment reach pages, read from what was measured and attributed.

For one job offer: its sharers (employees whose share of it went live), their shares, the audience of their
X accounts (``audience``: raw sum and deduplicated), the impressions X counted (latest metrics snapshot per
share), the clicks on their tracked links (unique clicks are distinct visitors per link and UTC day,
added up: the click intake salts each visitor's hash per day, ``links.clicks``; complete days are read
from the daily roll-up), and the applications and hires the ATS sent back
(``recruitment.Application``, attributed to a share, its employee, branch and region).

Who sees what (``Scope``): HR sees the whole bank, each employee's attribution included; a manager sees
only the shares and applications of the branches they cover, as totals per branch and region, never per
employee. In every table but HR's per-employee one, an application or hire count of a group that is above
zero and below ``REACH_MIN_GROUP`` is withheld ("fewer than 5"): a count of one or two in a small branch
would point at the referrer of a known candidate.

A report is a fixed number of queries whatever the number of sharers, shares, clicks or applications (the
tests count them with more and fewer sharers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils.translation import gettext as _

from advocacy.audience.selectors import Audience, audience_of
from advocacy.content.models import JobOffer
from advocacy.content.selectors import job_offers
from advocacy.metrics.models import MetricSnapshot
from advocacy.networks.x.models import XAccount
from advocacy.org.models import Role
from advocacy.org.selectors import branches_covered_by, roles_of
from advocacy.recruitment.models import Application, Stage
from advocacy.rollups.models import DailyPostFigures, RollupRun
from advocacy.shares.models import Share, ShareClick

UTC = dt.UTC
SERIES_DAYS = 30
TOP_TEAMS = 10
TOP_EMPLOYEES = 50  # 2,000 rows of a table are for the CSV, not for a page
LIVE = Q(published_at__isnull=False)


@dataclass(frozen=True)
class Scope:
    """``branch_ids`` None: the whole bank (HR). ``employees``: per-employee attribution visible."""

    branch_ids: frozenset[int] | None
    employees: bool

    @property
    def is_bank(self) -> bool:
        return self.branch_ids is None


def scope_of(user) -> Scope | None:
    roles = roles_of(user)
    if Role.HR in roles:
        return Scope(None, employees=True)
    if roles & {Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER}:
        return Scope(frozenset(branches_covered_by(user).values_list("pk", flat=True)), employees=False)
    return None


@dataclass(frozen=True)
class Count_:
    """A count as the page may show it: ``value`` None when withheld (above zero, below the minimum)."""

    value: int | None
    minimum: int

    @property
    def withheld(self) -> bool:
        return self.value is None

    def __str__(self) -> str:  # the CSV cell
        return str(self.value) if self.value is not None else _("fewer than %(n)d") % {"n": self.minimum}


def guarded(n: int, *, minimum: int | None = None) -> Count_:
    minimum = settings.REACH_MIN_GROUP if minimum is None else minimum
    return Count_(None if 0 < n < minimum else n, minimum)


@dataclass
class Row:
    key: int | None
    label: str
    sharers: set = field(default_factory=set)
    shares: int = 0
    impressions: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    applications: int = 0
    hires: int = 0
    region: str = ""
    branch: str = ""

    @property
    def sharer_count(self) -> int:
        return len(self.sharers)

    @property
    def shown_applications(self) -> Count_:
        return guarded(self.applications)

    @property
    def shown_hires(self) -> Count_:
        return guarded(self.hires)


@dataclass
class Day:
    day: dt.date
    shares: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    applications: int = 0


@dataclass
class Report:
    offer: JobOffer
    scope: Scope
    total: Row
    audience: Audience
    employees: list[Row]
    branches: list[Row]
    regions: list[Row]
    teams: list[Row]
    days: list[Day]
    unattributed: int = 0

    @cached_property
    def top_employees(self) -> list[Row]:
        """The page's per-employee table: the ``TOP_EMPLOYEES`` first by applications (the CSV has all);
        ranked once per report (the page reads it three times)."""
        ranked = sorted(self.employees, key=lambda r: (-r.applications, -r.unique_clicks, -r.shares, r.label))
        return ranked[:TOP_EMPLOYEES]

    @property
    def shown_applications(self) -> Count_:
        return self.total.shown_applications if not self.scope.is_bank else Count_(self.total.applications, 0)

    @property
    def shown_hires(self) -> Count_:
        return self.total.shown_hires if not self.scope.is_bank else Count_(self.total.hires, 0)


def offers_for(scope: Scope):
    """Every job offer that went to review at least once (drafts excluded), newest first."""
    return job_offers().exclude(item__status="draft")


def offer_for(scope: Scope, pk: int) -> JobOffer | None:
    return offers_for(scope).filter(pk=pk).first()


def _in_scope(scope: Scope, prefix: str) -> Q:
    """Rows of the scope's branches (``prefix`` leads from the row to the sharer's staff profile)."""
    if scope.is_bank:
        return Q()
    return Q(**{f"{prefix}branch_id__in": sorted(scope.branch_ids)})


def _day_range(now: dt.datetime) -> tuple[list[dt.date], dt.datetime]:
    today = now.astimezone(UTC).date()
    first = today - dt.timedelta(days=SERIES_DAYS - 1)
    return [first + dt.timedelta(days=i) for i in range(SERIES_DAYS)], dt.datetime.combine(
        first, dt.time(), tzinfo=UTC
    )


def _rolled_up_until(runs) -> dt.date | None:
    """The last UTC day whose roll-up ran after the day was over (so holds all its clicks)."""
    for day, finished_at, *_rest in runs:
        if finished_at >= dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=UTC):
            return day
    return None


ROLLED_UP_CACHE_SECONDS = 3600


def _rolled_up(shares, *, until: dt.date, since: dt.datetime, key: str) -> tuple[dict, dict]:
    """Clicks and visitors of the complete days (to ``until``), per sharer and per day from ``since``, from
    the roll-up, cached under ``key``: the offer's figures for days that are over change only when a
    roll-up runs again (every 10 minutes for yesterday, or a backfill) or the sharers change, and the key
    names both. Two queries on a miss (two sums over 60,000 roll-up rows at bank scale, ~150 ms under load;
    bench/bench_reach_page.py), none on a hit."""
    found = cache.get(key)
    if found is not None:
        return found
    per_adviser: dict[int, list[int]] = {}
    per_day: dict[dt.date, list[int]] = {}
    rolled = DailyPostFigures.objects.filter(share__in=shares, day__lte=until)
    for row in rolled.values("adviser_id").annotate(n=Sum("clicks"), v=Sum("visitors")).order_by():
        per_adviser[row["adviser_id"]] = [row["n"], row["v"]]
    recent = rolled.filter(day__gte=since.date()).values("day")
    for row in recent.annotate(n=Sum("clicks"), v=Sum("visitors")).order_by():
        per_day[row["day"]] = [row["n"], row["v"]]
    cache.set(key, (per_adviser, per_day), ROLLED_UP_CACHE_SECONDS)
    return per_adviser, per_day


def _clicks(shares, *, since: dt.datetime, version: str) -> tuple[dict, dict]:
    """Clicks and unique clicks of these shares, per sharer (all time) and per UTC day (from ``since``).

    Unique clicks are distinct visitors per link and UTC day (the visitor's hash is salted per day), added
    up. Complete days come from the daily roll-up (``rollups.DailyPostFigures``, recomputed from the
    clicks; ``_rolled_up``, cached), the days after from the clicks themselves: 200,000 clicks are not
    counted again on each view (bench/bench_reach_page.py). Two queries, four when the roll-up's figures
    are not cached. ``version`` names the shares (the sharers and their share counts).

    Not ``rollups.selectors.clicks_by_adviser``: that one counts every share of the advisers over a range
    (the team dashboards), clicks only; an offer's report needs its own shares, all time, with visitors,
    and per day.
    """
    runs = list(
        RollupRun.objects.annotate(latest=Window(Max("finished_at")), runs=Window(Count("pk")))
        .order_by("-day")
        .values_list("day", "finished_at", "latest", "runs")[:3]
    )
    until = _rolled_up_until(runs)
    per_adviser: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    tail = ShareClick.objects.filter(share__in=shares)
    if until is not None:
        latest, count = runs[0][2], runs[0][3]  # any roll-up run (a re-run, a backfill) is a new key
        key = f"reach:rolled:{version}:{until}:{since.date()}:{latest.isoformat()}:{count}"
        rolled_advisers, rolled_days = _rolled_up(shares, until=until, since=since, key=key)
        for adviser_id, figures in rolled_advisers.items():
            per_adviser[adviser_id] = list(figures)
        for day, figures in rolled_days.items():
            per_day[day] = list(figures)
        tail = tail.filter(
            clicked_at__gte=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=UTC)
        )
    rows = (
        tail.annotate(day=TruncDate("clicked_at", tzinfo=UTC))
        .values("share__adviser_id", "day")
        .annotate(n=Count("pk"), v=Count("visitor", distinct=True))
        .order_by()
    )
    for row in rows:
        per_adviser[row["share__adviser_id"]][0] += row["n"]
        per_adviser[row["share__adviser_id"]][1] += row["v"]
        per_day[row["day"]][0] += row["n"]
        per_day[row["day"]][1] += row["v"]
    return {k: tuple(v) for k, v in per_adviser.items()}, {k: tuple(v) for k, v in per_day.items()}


def _version(item_id: int, scope: Scope, sharer_rows) -> str:
    """What the report's shares are: the offer, the scope, each sharer with their share count and branch."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{item_id}|{sorted(scope.branch_ids) if scope.branch_ids is not None else '*'}".encode())
    for row in sorted(sharer_rows, key=lambda r: r["adviser_id"]):
        digest.update(f"|{row['adviser_id']}:{row['n']}:{row['adviser__staff__branch_id']}".encode())
    return digest.hexdigest()


def report(scope: Scope, offer: JobOffer, *, now: dt.datetime) -> Report:
    item_id = offer.item_id
    shares = Share.objects.filter(LIVE, _in_scope(scope, "adviser__staff__"), item_id=item_id)
    sharer_rows = list(
        shares.values(
            "adviser_id",
            "adviser__first_name",
            "adviser__last_name",
            "adviser__x_account__id",
            "adviser__staff__branch_id",
            "adviser__staff__branch__name",
            "adviser__staff__branch__region_id",
            "adviser__staff__branch__region__name",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    days, since = _day_range(now)
    version = _version(item_id, scope, sharer_rows)
    click_rows, click_days = _clicks(shares, since=since, version=version)
    impression_rows = list(
        MetricSnapshot.objects.filter(share__in=shares)
        .annotate(rank=Window(RowNumber(), partition_by=[F("share_id")], order_by=F("read_at").desc()))
        .filter(rank=1)
        .values("share__adviser_id", "impressions")
    )
    applications = Application.objects.filter(item_id=item_id)
    if not scope.is_bank:
        applications = applications.filter(branch_id__in=sorted(scope.branch_ids))
    hired = Q(hired_at__isnull=False) | Q(stage=Stage.HIRED)
    application_rows = list(
        applications.values("employee_id", "branch_id", "region_id")
        .annotate(n=Count("pk"), hires=Count("pk", filter=hired))
        .order_by()
    )
    day_rows: dict[dt.date, Day] = {d: Day(d) for d in days}
    for row in (
        shares.filter(published_at__gte=since)
        .annotate(day=TruncDate("published_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["day"] in day_rows:
            day_rows[row["day"]].shares = row["n"]
    for day, (n, visitors) in click_days.items():
        if day in day_rows:
            day_rows[day].clicks, day_rows[day].unique_clicks = n, visitors
    for row in (
        applications.filter(applied_at__gte=since)
        .annotate(day=TruncDate("applied_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["day"] in day_rows:
            day_rows[row["day"]].applications = row["n"]

    head_office = _("Head office")
    total = Row(None, _("All"))
    employees: dict[int, Row] = {}
    branches: dict[int | None, Row] = {}
    regions: dict[int | None, Row] = {}
    employee_place: dict[int, tuple[int | None, int | None]] = {}
    accounts = set()
    for row in sharer_rows:  # Rows made only when first met: 2,000 sharers in 20 branches make 2,024
        adviser = row["adviser_id"]
        branch_id, region_id = row["adviser__staff__branch_id"], row["adviser__staff__branch__region_id"]
        employee_place[adviser] = (branch_id, region_id)
        if row["adviser__x_account__id"]:
            accounts.add(row["adviser__x_account__id"])
        branch_name = row["adviser__staff__branch__name"] or head_office
        region_name = row["adviser__staff__branch__region__name"]
        employee = employees.get(adviser)
        if employee is None:
            name = f"{row['adviser__first_name']} {row['adviser__last_name']}".strip()
            employee = employees[adviser] = Row(adviser, name, branch=branch_name, region=region_name or "")
        branch = branches.get(branch_id)
        if branch is None:
            branch = branches[branch_id] = Row(branch_id, branch_name, region=region_name or "")
        region = regions.get(region_id)
        if region is None:
            region = regions[region_id] = Row(region_id, region_name or head_office)
        for target in (total, employee, branch, region):
            target.sharers.add(adviser)
            target.shares += row["n"]

    def rows_of(adviser_id):
        branch_id, region_id = employee_place.get(adviser_id, (None, None))
        found = [total]
        if adviser_id in employees:
            found += [employees[adviser_id], branches[branch_id], regions[region_id]]
        return found

    for adviser_id, (n, visitors) in click_rows.items():
        for target in rows_of(adviser_id):
            target.clicks += n
            target.unique_clicks += visitors
    for row in impression_rows:
        for target in rows_of(row["share__adviser_id"]):
            target.impressions += row["impressions"] or 0
    unattributed = 0
    for row in application_rows:
        total.applications += row["n"]
        total.hires += row["hires"]
        if row["employee_id"] is None:
            unattributed += row["n"]
        targets = []
        if row["employee_id"] in employees:
            targets.append(employees[row["employee_id"]])
        if row["branch_id"] in branches or row["branch_id"] is not None:
            targets.append(branches.setdefault(row["branch_id"], Row(row["branch_id"], "")))
        if row["region_id"] in regions or row["region_id"] is not None:
            targets.append(regions.setdefault(row["region_id"], Row(row["region_id"], "")))
        for target in targets:
            target.applications += row["n"]
            target.hires += row["hires"]
    by_name = lambda r: (r.label.lower(), r.key or 0)  # noqa: E731
    branch_list = sorted((b for b in branches.values() if b.label), key=by_name)
    teams = sorted(
        branch_list, key=lambda r: (-r.applications, -r.unique_clicks, -r.shares, r.label.lower())
    )[:TOP_TEAMS]
    return Report(
        offer=offer,
        scope=scope,
        total=total,
        audience=audience_of(
            XAccount.objects.filter(user__in=shares.values("adviser_id")).values("pk"),
            count=len(accounts),
            version=version,
        ),
        employees=sorted(employees.values(), key=by_name) if scope.employees else [],
        branches=branch_list,
        regions=sorted((r for r in regions.values() if r.label), key=by_name),
        teams=teams,
        days=[day_rows[d] for d in days],
        unattributed=unattributed if scope.is_bank else 0,
    )


@dataclass
class OfferLine:
    offer: JobOffer
    sharers: int = 0
    shares: int = 0
    clicks: int = 0
    applications: int = 0
    hires: int = 0
    scope_is_bank: bool = True

    @property
    def shown_applications(self) -> Count_:
        return Count_(self.applications, 0) if self.scope_is_bank else guarded(self.applications)

    @property
    def shown_hires(self) -> Count_:
        return Count_(self.hires, 0) if self.scope_is_bank else guarded(self.hires)


def offer_lines(scope: Scope, *, limit: int = 200) -> list[OfferLine]:
    """The job offers with their totals in the scope (four queries whatever the number of offers)."""
    offers = list(offers_for(scope)[:limit])
    item_ids = [o.item_id for o in offers]
    lines = {o.item_id: OfferLine(o, scope_is_bank=scope.is_bank) for o in offers}
    shares = Share.objects.filter(LIVE, _in_scope(scope, "adviser__staff__"), item_id__in=item_ids)
    for row in (
        shares.values("item_id")
        .annotate(n=Count("pk"), sharers=Count("adviser_id", distinct=True))
        .order_by()
    ):
        lines[row["item_id"]].shares, lines[row["item_id"]].sharers = row["n"], row["sharers"]
    for row in (
        ShareClick.objects.filter(share__in=shares)
        .values("share__item_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        lines[row["share__item_id"]].clicks = row["n"]
    applications = Application.objects.filter(item_id__in=item_ids)
    if not scope.is_bank:
        applications = applications.filter(branch_id__in=sorted(scope.branch_ids))
    hired = Q(hired_at__isnull=False) | Q(stage=Stage.HIRED)
    for row in (
        applications.values("item_id").annotate(n=Count("pk"), hires=Count("pk", filter=hired)).order_by()
    ):
        lines[row["item_id"]].applications, lines[row["item_id"]].hires = row["n"], row["hires"]
    return [lines[o.item_id] for o in offers]
