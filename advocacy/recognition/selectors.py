"""The month's recognition of one branch: each participant's three quality measures and their score.

The three measures, for the advisers of the branch who opted in, over one UTC calendar month:

- **engagement per post**: the mean, over the posts they published that month, of each post's engagements
  (likes, reposts, replies, quotes) at its latest read by the metrics rounds. A mean, not a sum: a second
  post of the same content that nobody engages with lowers it, so posting more of the same never helps;
- **clients engaged**: how many distinct clients (with consent, matched by the relationships capture)
  interacted with them that month — distinct people, not interactions;
- **answered**: the share of the month's mentions, replies and quotes addressed to them that they
  answered from Relais (a reply sent) — a rate, not a count.

The score ranks each measure among the branch's participants (0 for the lowest, 100 for the highest, ties
share a rank, a zero never ranks above 0; a measure nobody has is left out) and averages the ranks. Seven
queries whatever the branch's size; the page never ranks the whole bank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from advocacy.metrics.models import MetricSnapshot
from advocacy.org.models import Role
from advocacy.recognition.models import RecognitionChoice
from advocacy.relationships.models import Interaction
from advocacy.relationships.signals import ENGAGEMENT_KINDS
from advocacy.replies.models import Reply
from advocacy.shares.models import Share

UTC = dt.UTC


@dataclass(frozen=True)
class Month:
    first_day: dt.date

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.replace(day=1))

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=UTC)

    @property
    def end(self) -> dt.datetime:
        following = (self.first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return dt.datetime.combine(following, dt.time(), tzinfo=UTC)

    def previous(self) -> Month:
        return Month.of(self.first_day - dt.timedelta(days=1))


@dataclass
class Participant:
    user_id: int
    name: str
    posts: int = 0
    engagement_per_post: float | None = None
    clients_engaged: int = 0
    addressed: int = 0
    answered: int = 0
    score: int | None = None

    @property
    def answered_rate(self) -> float | None:
        return self.answered / self.addressed if self.addressed else None


def takes_part(user) -> bool:
    return RecognitionChoice.objects.filter(user_id=user.pk, taking_part=True).exists()


def set_taking_part(user, taking_part: bool) -> None:
    RecognitionChoice.objects.update_or_create(user_id=user.pk, defaults={"taking_part": taking_part})


def _ranks(values: dict[int, float]) -> dict[int, float]:
    """0-100 by rank among ``values`` (ties share the lower rank). When every value is the same (one
    participant alone, or all alike) nobody does better than anyone: 100 if that value is above zero, 0 if
    it is zero — a measure nobody earned (no mention answered, no engagement) never ranks first."""
    ordered = sorted(set(values.values()))
    if len(ordered) == 1:
        return dict.fromkeys(values, 100.0 if ordered[0] > 0 else 0.0)
    return {uid: 100.0 * ordered.index(v) / (len(ordered) - 1) for uid, v in values.items()}


def _score(people: list[Participant]) -> None:
    measures = [
        {p.user_id: p.engagement_per_post for p in people if p.engagement_per_post is not None},
        {p.user_id: float(p.clients_engaged) for p in people if p.clients_engaged},
        {p.user_id: p.answered_rate for p in people if p.answered_rate is not None},
    ]
    ranked = [_ranks(m) for m in measures if m]
    for person in people:
        mine = [r[person.user_id] for r in ranked if person.user_id in r]
        person.score = round(sum(mine) / len(ranked)) if mine else None


def branch_recognition(branch_id: int, month: Month) -> list[Participant]:
    """The branch's participants with their measures and score, best score first (then by name)."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff__branch_id=branch_id,
            staff__roles__role=Role.ADVISER,
            recognition__taking_part=True,
        )
        .values("pk", "first_name", "last_name", "email")
        .distinct()
    )
    people = {
        u["pk"]: Participant(u["pk"], f"{u['first_name']} {u['last_name']}".strip() or u["email"])
        for u in users
    }
    if not people:
        return []
    ids = list(people)
    posts = Share.objects.filter(
        adviser_id__in=ids, published_at__gte=month.start, published_at__lt=month.end
    )
    post_owner = dict(posts.values_list("pk", "adviser_id"))
    for owner in post_owner.values():
        people[owner].posts += 1
    latest = (
        MetricSnapshot.objects.filter(share_id__in=list(post_owner))
        .annotate(rank=Window(RowNumber(), partition_by=[F("share_id")], order_by=F("read_at").desc()))
        .filter(rank=1)
        .values("share_id", "likes", "reposts", "replies", "quotes")
    )
    totals: dict[int, int] = {}
    for row in latest:
        owner = post_owner[row["share_id"]]
        totals[owner] = totals.get(owner, 0) + row["likes"] + row["reposts"] + row["replies"] + row["quotes"]
    for uid, person in people.items():
        if person.posts:
            person.engagement_per_post = totals.get(uid, 0) / person.posts
    in_month = Q(occurred_at__gte=month.start, occurred_at__lt=month.end)
    for row in (
        Interaction.objects.filter(
            in_month, adviser_id__in=ids, client__isnull=False, kind__in=ENGAGEMENT_KINDS
        )
        .values("adviser_id")
        .annotate(n=Count("client_id", distinct=True))
        .order_by()
    ):
        people[row["adviser_id"]].clients_engaged = row["n"]
    addressed = Interaction.objects.filter(
        in_month, adviser_id__in=ids, kind__in=Interaction.ANSWERABLE_KINDS
    )
    for row in addressed.values("adviser_id").annotate(n=Count("pk")).order_by():
        people[row["adviser_id"]].addressed = row["n"]
    answered = (
        Reply.objects.filter(interaction__in=addressed, status=Reply.Status.SENT)
        .values("adviser_id")
        .annotate(n=Count("interaction_id", distinct=True))
        .order_by()
    )
    for row in answered:
        people[row["adviser_id"]].answered = row["n"]
    ranked = list(people.values())
    _score(ranked)
    ranked.sort(key=lambda p: (-(p.score if p.score is not None else -1), p.name))
    return ranked
