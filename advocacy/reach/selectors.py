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
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Count, F, Q, Sum, Window
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
from advocacy.rollups.selectors import counted_to_end, rolled_up
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
    sharer_count: int = 0
    shares: int = 0
    impressions: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    applications: int = 0
    hires: int = 0
    region: str = ""
    branch: str = ""

    @property
    def shown_applications(self) -> Count_:
        return guarded(self.applications)

    @property
    def shown_hires(self) -> Count_:
        return guarded(self.hires)


# A group's figures while a report adds them up: one list per group, not a Row, and added to by index.
SHARERS, SHARES, IMPRESSIONS, CLICKS, UNIQUE_CLICKS, APPLICATIONS, HIRES = range(7)


def _row(key, label: str, figures: list[int], **places) -> Row:
    return Row(key, label, *figures, **places)


@dataclass
class Day:
    day: dt.date
    shares: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    applications: int = 0


@dataclass
class Report:
    """``employees`` (HR's attribution, every sharer, sorted by name) and ``top_employees`` (the page's
    table) are made from ``employee_figures`` when first read: the page shows 50 of 2,000 sharers, and 2,000
    Rows made on each view to throw 1,950 away cost more than the figures they hold."""

    offer: JobOffer
    scope: Scope
    total: Row
    audience: Audience
    branches: list[Row]
    regions: list[Row]
    teams: list[Row]
    days: list[Day]
    unattributed: int = 0
    # Per sharer (HR only, else empty): adviser id -> (name, branch, region, figures by the indexes above).
    employee_figures: dict[int, tuple[str, str, str, list[int]]] = field(default_factory=dict)

    @property
    def employee_count(self) -> int:
        return len(self.employee_figures)

    def _employee(self, adviser_id: int) -> Row:
        name, branch, region, figures = self.employee_figures[adviser_id]
        return _row(adviser_id, name, figures, branch=branch, region=region)

    @cached_property
    def employees(self) -> list[Row]:
        rows = [self._employee(adviser_id) for adviser_id in self.employee_figures]
        return sorted(rows, key=lambda r: (r.label.lower(), r.key or 0))

    @cached_property
    def top_employees(self) -> list[Row]:
        """The page's per-employee table: the ``TOP_EMPLOYEES`` first by applications, then unique clicks,
        shares and name (the CSV has all); ranked once per report (the page reads it three times)."""

        def rank(item):
            adviser_id, (name, _branch, _region, f) = item
            return (-f[APPLICATIONS], -f[UNIQUE_CLICKS], -f[SHARES], name, adviser_id)

        ranked = heapq.nsmallest(TOP_EMPLOYEES, self.employee_figures.items(), key=rank)
        return [self._employee(adviser_id) for adviser_id, _figures in ranked]

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
    """The last UTC day whose roll-up counted it to its end (so holds all its clicks). Not a partial day
    (today's, ``RollupRun.through`` before its end): its distinct visitors and the rest of the day's could
    not be added (a visitor on both sides of ``through`` would count twice)."""
    for day, _finished_at, through in runs:
        if counted_to_end(day, through):
            return day
    return None


def _rolled_up(shares, *, until: dt.date, since: dt.datetime, parts: tuple) -> tuple[dict, dict]:
    """Clicks and visitors of the complete days (to ``until``), per sharer and per day from ``since``, from
    the roll-up, cached (``rollups.selectors.rolled_up``) under ``parts``: the offer's figures for days that
    are over change only when a roll-up runs again (every 10 minutes for yesterday, or a backfill) or the
    sharers change, and ``parts`` names both. Two queries on a miss (two sums over 60,000 roll-up rows at
    bank scale, ~150 ms under load; bench/bench_reach_page.py), none on a hit."""

    def build() -> tuple[dict, dict]:
        per_adviser: dict[int, list[int]] = {}
        per_day: dict[dt.date, list[int]] = {}
        rolled = DailyPostFigures.objects.filter(share__in=shares, day__lte=until)
        for row in rolled.values("adviser_id").annotate(n=Sum("clicks"), v=Sum("visitors")).order_by():
            per_adviser[row["adviser_id"]] = [row["n"], row["v"]]
        recent = rolled.filter(day__gte=since.date()).values("day")
        for row in recent.annotate(n=Sum("clicks"), v=Sum("visitors")).order_by():
            per_day[row["day"]] = [row["n"], row["v"]]
        return per_adviser, per_day

    return rolled_up("reach", parts, build)


def _clicks(shares, *, since: dt.datetime, version: str) -> tuple[dict, dict]:
    """Clicks and unique clicks of these shares, per sharer (all time) and per UTC day (from ``since``).

    Unique clicks are distinct visitors per link and UTC day (the visitor's hash is salted per day), added
    up. Complete days come from the daily roll-up (``rollups.DailyPostFigures``, recomputed from the
    clicks; ``_rolled_up``, cached), the days after from the clicks themselves: 200,000 clicks are not
    counted again on each view (bench/bench_reach_page.py). Two queries, four when the roll-up's figures
    are not cached. ``version`` names the shares (the sharers and their share counts).

    The cached sums are named by every summed day's ``RollupRun.finished_at``, as the dashboards' are
    (``rollups.selectors.rolled_up``): the latest run and the number of runs would miss a re-run of a day
    that committed after a later day's run had finished (a backfill overlapping the beat), which changes
    neither. That is one row per day of the bank's history read (two columns; ~1,100 after three years).

    Not ``rollups.selectors.clicks_by_adviser``: that one counts every share of the advisers over a range
    (the team dashboards), clicks only; an offer's report needs its own shares, all time, with visitors,
    and per day.
    """
    runs = list(RollupRun.objects.order_by("-day").values_list("day", "finished_at", "through"))
    until = _rolled_up_until(runs[:3])
    per_adviser: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_day: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    tail = ShareClick.objects.filter(share__in=shares)
    if until is not None:
        parts = (version, until, since.date(), tuple(run for run in runs if run[0] <= until))
        rolled_advisers, rolled_days = _rolled_up(shares, until=until, since=since, parts=parts)
        for adviser_id, figures in rolled_advisers.items():
            per_adviser[adviser_id] = list(figures)
        for day, figures in rolled_days.items():
            per_day[day] = list(figures)
        tail = tail.filter(
            clicked_at__gte=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=UTC)
        )
    rows = (
        tail.annotate(day=TruncDate("clicked_at", tzinfo=UTC))
        .values_list("share__adviser_id", "day")
        .annotate(n=Count("pk"), v=Count("visitor", distinct=True))
        .order_by()
    )
    for adviser_id, day, n, visitors in rows:
        adviser, on_day = per_adviser[adviser_id], per_day[day]
        adviser[0] += n
        adviser[1] += visitors
        on_day[0] += n
        on_day[1] += visitors
    return {k: tuple(v) for k, v in per_adviser.items()}, {k: tuple(v) for k, v in per_day.items()}


def _version(item_id: int, scope: Scope, sharer_rows) -> str:
    """What the report's shares are: the offer, the scope, each sharer with their share count and branch
    (``sharer_rows`` come ordered by adviser)."""
    branches = sorted(scope.branch_ids) if scope.branch_ids is not None else "*"
    sharers = "|".join(f"{row[0]}:{row[SHARER_SHARES]}:{row[4]}" for row in sharer_rows)
    return hashlib.blake2b(f"{item_id}|{branches}|{sharers}".encode(), digest_size=16).hexdigest()


# The columns of a sharer's row in ``report`` (then their share count).
SHARER_COLUMNS = (
    "adviser_id",
    "adviser__first_name",
    "adviser__last_name",
    "adviser__x_account__id",
    "adviser__staff__branch_id",
    "adviser__staff__branch__name",
    "adviser__staff__branch__region_id",
    "adviser__staff__branch__region__name",
)
SHARER_SHARES = len(SHARER_COLUMNS)


def report(scope: Scope, offer: JobOffer, *, now: dt.datetime) -> Report:
    """One offer's report in the scope: a fixed number of queries, and per sharer one tuple and one list of
    figures, from which the branches', regions' and total's figures are added up (2,000 sharers at bank
    scale: dicts and Rows per query row were most of the view's CPU, bench/bench_reach_page.py).

    Each share's impressions are those of its latest metrics snapshot, numbered per share in one pass over
    the offer's snapshots (a subquery per share, tried, probes every monthly partition of the snapshots for
    each of 2,000 shares: 30 ms instead of 6)."""
    item_id = offer.item_id
    shares = Share.objects.filter(LIVE, _in_scope(scope, "adviser__staff__"), item_id=item_id)
    days, since = _day_range(now)
    day_rows: dict[dt.date, Day] = {d: Day(d) for d in days}
    # One row per share (not grouped per sharer in SQL: the same query then gives the shares per day).
    share_rows = (
        shares.annotate(day=TruncDate("published_at", tzinfo=UTC))
        .values_list(*SHARER_COLUMNS, "day")
        .order_by("adviser_id")
    )
    sharers: dict[int, list] = {}
    for *columns, day in share_rows:
        found = sharers.get(columns[0])
        if found is None:
            sharers[columns[0]] = [*columns, 1]
        else:
            found[SHARER_SHARES] += 1
        if day in day_rows:  # published in the last 30 UTC days
            day_rows[day].shares += 1
    sharer_rows = list(sharers.values())  # by adviser, as the query ordered them
    version = _version(item_id, scope, sharer_rows)
    click_rows, click_days = _clicks(shares, since=since, version=version)
    impression_rows = (
        MetricSnapshot.objects.filter(share__in=shares)
        .annotate(rank=Window(RowNumber(), partition_by=[F("share_id")], order_by=F("read_at").desc()))
        .filter(rank=1)
        .values_list("share__adviser_id", "impressions")
    )
    applications = Application.objects.filter(item_id=item_id)
    if not scope.is_bank:
        applications = applications.filter(branch_id__in=sorted(scope.branch_ids))
    hired = Q(hired_at__isnull=False) | Q(stage=Stage.HIRED)
    application_rows = list(
        applications.values_list("employee_id", "branch_id", "region_id")
        .annotate(n=Count("pk"), hires=Count("pk", filter=hired))
        .order_by()
    )
    for day, (n, visitors) in click_days.items():
        if day in day_rows:
            day_rows[day].clicks, day_rows[day].unique_clicks = n, visitors
    for day, n in (
        applications.filter(applied_at__gte=since)
        .annotate(day=TruncDate("applied_at", tzinfo=UTC))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if day in day_rows:
            day_rows[day].applications = n

    head_office = _("Head office")
    # Figures by the indexes SHARERS..HIRES; a group's name and region name kept beside its figures.
    total = [0] * 7
    employees: dict[int, tuple[str, str, str, list[int]]] = {}
    branches: dict[int | None, list[int]] = {}
    regions: dict[int | None, list[int]] = {}
    branch_names: dict[int | None, tuple[str, str]] = {}
    region_names: dict[int | None, str] = {}
    groups_of: dict[int, tuple[list[int], ...]] = {}  # an adviser's figures, their branch's, their region's
    accounts = 0
    for adviser, first, last, account, branch_id, branch_name, region_id, region_name, n in sharer_rows:
        if account:
            accounts += 1
        branch_name = branch_name or head_office
        employee = [1, n, 0, 0, 0, 0, 0]
        employees[adviser] = (f"{first} {last}".strip(), branch_name, region_name or "", employee)
        branch = branches.get(branch_id)
        if branch is None:
            branch = branches[branch_id] = [0] * 7
            branch_names[branch_id] = (branch_name, region_name or "")
        region = regions.get(region_id)
        if region is None:
            region = regions[region_id] = [0] * 7
            region_names[region_id] = region_name or head_office
        groups_of[adviser] = (employee, branch, region)
        for figures in (total, branch, region):
            figures[SHARERS] += 1
            figures[SHARES] += n

    for adviser_id, seen in impression_rows:
        total[IMPRESSIONS] += seen or 0
        for figures in groups_of.get(adviser_id, ()):
            figures[IMPRESSIONS] += seen or 0
    for adviser_id, (n, visitors) in click_rows.items():
        total[CLICKS] += n
        total[UNIQUE_CLICKS] += visitors
        for figures in groups_of.get(adviser_id, ()):
            figures[CLICKS] += n
            figures[UNIQUE_CLICKS] += visitors
    unattributed = 0
    for employee_id, branch_id, region_id, n, hires in application_rows:
        total[APPLICATIONS] += n
        total[HIRES] += hires
        if employee_id is None:
            unattributed += n
        targets = []
        if employee_id in employees:
            targets.append(employees[employee_id][3])
        # An application's branch and region are the ATS's (where its employee works now), which may have
        # no sharer: counted there too, in a group without a name, which the tables leave out.
        if branch_id in branches or branch_id is not None:
            targets.append(branches.setdefault(branch_id, [0] * 7))
        if region_id in regions or region_id is not None:
            targets.append(regions.setdefault(region_id, [0] * 7))
        for figures in targets:
            figures[APPLICATIONS] += n
            figures[HIRES] += hires

    by_name = lambda r: (r.label.lower(), r.key or 0)  # noqa: E731
    branch_list = sorted(
        (
            _row(key, branch_names[key][0], figures, region=branch_names[key][1])
            for key, figures in branches.items()
            if key in branch_names
        ),
        key=by_name,
    )
    teams = sorted(
        branch_list, key=lambda r: (-r.applications, -r.unique_clicks, -r.shares, r.label.lower())
    )[:TOP_TEAMS]
    region_list = [_row(key, region_names[key], f) for key, f in regions.items() if key in region_names]
    return Report(
        offer=offer,
        scope=scope,
        total=_row(None, _("All"), total),
        audience=audience_of(
            XAccount.objects.filter(user__in=shares.values("adviser_id")).values("pk"),
            count=accounts,
            version=version,
        ),
        branches=branch_list,
        regions=sorted(region_list, key=by_name),
        teams=teams,
        days=[day_rows[d] for d in days],
        unattributed=unattributed if scope.is_bank else 0,
        employee_figures=employees if scope.employees else {},
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
