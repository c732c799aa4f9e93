"""The adviser's signals inbox: what it says, the weekly digest of new people, and reading them.

Ingestion makes the signals about clients as it stores their interactions (``ingest._signal``: a client's
mention, reply or quote, a client's follow), in the same transaction. The weekly digest counts the people
whose first engagement with the adviser fell in the past ISO week (clients or not) and makes one signal per
adviser per week, keyed by the week, so running it twice makes nothing twice. The sentence is drawn when the
inbox is shown, in the reader's language, from the signal's kind and what it points at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.relationships.models import Interaction, Signal

# What counts as engaging with an adviser (an unfollow does not).
ENGAGEMENT_KINDS = [k for k in Interaction.Kind.values if k != Interaction.Kind.UNFOLLOW]


def client_name_parts(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def client_name(client) -> str:
    return client_name_parts(client.first_name, client.last_name) or client.client_ref


def _client_sentence(signal: Signal) -> str:
    name = client_name(signal.client) if signal.client else _("a former client")
    if signal.kind == Signal.Kind.CLIENT_FOLLOW:
        return _("Client %(name)s started following you") % {"name": name}
    kind = signal.interaction.kind if signal.interaction else ""
    if kind == Interaction.Kind.REPLY:
        return _("Client %(name)s replied to your post") % {"name": name}
    if kind == Interaction.Kind.QUOTE:
        return _("Client %(name)s quoted your post") % {"name": name}
    return _("Client %(name)s mentioned you") % {"name": name}


@dataclass(frozen=True)
class SignalRow:
    """One line of the inbox, ready to show (templates test no kinds)."""

    signal: Signal
    sentence: str
    text: str  # the client's post, when the signal is one
    url: str  # where to look: the client's timeline, or the adviser's
    unread: bool
    waiting_answer: bool  # a client's post not answered from Relais yet


def _timeline_url(signal: Signal) -> str:
    if signal.client_id:
        return reverse("clients:timeline", args=[signal.client_id])
    return reverse("relationships:timeline")


def row_of(signal: Signal) -> SignalRow:
    if signal.kind == Signal.Kind.NEW_PEOPLE:
        week = formats.date_format(signal.week, "DATE_FORMAT") if signal.week else ""
        sentence = ngettext(
            "%(count)d new person engaged with you in the week of %(week)s",
            "%(count)d new people engaged with you in the week of %(week)s",
            signal.count,
        ) % {"count": signal.count, "week": week}
        return SignalRow(
            signal, sentence, "", reverse("relationships:prospects"), signal.read_at is None, False
        )
    interaction = signal.interaction
    is_post = signal.kind == Signal.Kind.CLIENT_POST
    return SignalRow(
        signal,
        _client_sentence(signal),
        interaction.text if interaction and is_post else "",
        _timeline_url(signal),
        signal.read_at is None,
        bool(is_post and interaction and interaction.answered_at is None),
    )


def signals_of(adviser) -> QuerySet[Signal]:
    """The adviser's own signals, newest first (``signal_inbox`` index; keyset on the id)."""
    return Signal.objects.filter(adviser=adviser).select_related("client", "interaction").order_by("-pk")


def unread_count(adviser) -> int:
    """One count on the ``signal_unread`` partial index."""
    return Signal.objects.filter(adviser=adviser, read_at__isnull=True).count()


def mark_read(adviser, signal_id: int) -> bool:
    """Mark one of the adviser's signals read; False when it is not theirs (or does not exist)."""
    mine = Signal.objects.filter(adviser=adviser, pk=signal_id)
    if not mine.exists():
        return False
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def mark_all_read(adviser) -> int:
    return Signal.objects.filter(adviser=adviser, read_at__isnull=True).update(read_at=timezone.now())


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_digest(*, now: dt.datetime | None = None) -> int:
    """The signals "N new people engaged with you in the week of ..." for the ISO week before ``now``'s
    (UTC), one per adviser with at least one new person; returns how many were made (0 when run again)."""
    now = now or timezone.now()
    this_week = week_start(now.astimezone(dt.UTC).date())
    first_day = this_week - dt.timedelta(days=7)
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(this_week, dt.time.min, tzinfo=dt.UTC)
    earlier = Interaction.objects.filter(
        adviser_id=OuterRef("adviser_id"),
        actor_id=OuterRef("actor_id"),
        kind__in=ENGAGEMENT_KINDS,
        occurred_at__lt=start,
    )
    counts = (
        Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end, kind__in=ENGAGEMENT_KINDS)
        .alias(seen_before=Exists(earlier))
        .filter(seen_before=False)
        .values("adviser_id")
        .annotate(n=Count("actor_id", distinct=True))
        .order_by()
    )
    key = f"week:{first_day.isoformat()}"
    done = set(Signal.objects.filter(key=key).values_list("adviser_id", flat=True))
    fresh = [
        Signal(
            adviser_id=row["adviser_id"], kind=Signal.Kind.NEW_PEOPLE, key=key, count=row["n"], week=first_day
        )
        for row in counts
        if row["adviser_id"] not in done
    ]
    Signal.objects.bulk_create(fresh, ignore_conflicts=True)  # a digest running beside this one: no double
    return len(fresh)
