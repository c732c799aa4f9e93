"""The supervision queue's reads: oldest first, one query a page, however long the queue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.supervision.models import Flag, SamplingRate, SupervisionItem

PAGE_SIZE = 20


def waiting(*, flag: str | None = None) -> QuerySet[SupervisionItem]:
    """Entries in the queue and not reviewed yet (the ``supervision_waiting`` partial index), with the
    reply, its adviser, the archived inbound post and the interaction in the same query."""
    rows = SupervisionItem.objects.filter(in_queue=True, reviewed_at=None)
    if flag in Flag.values:
        rows = rows.filter(**{flag: True})
    return rows.select_related("reply", "reply__inbound_record", "reply__interaction", "adviser").order_by(
        "pk"
    )


@dataclass
class Page:
    rows: list = field(default_factory=list)
    next_after: int | None = None  # ``?after=`` of the next page, None on the last one
    first: bool = True


def page_of(rows: QuerySet, params, *, size: int = PAGE_SIZE) -> Page:
    """Oldest first by id: ``?after=<id>`` asks for the entries after the last one shown (keyset, so a page
    costs the page, and an entry reviewed meanwhile never shifts the next page)."""
    try:
        after = int(params.get("after") or 0)
    except ValueError:
        after = 0
    if after:
        rows = rows.filter(pk__gt=after)
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    return Page(found, found[-1].pk if more and found else None, first=not after)


@dataclass(frozen=True)
class Entry:
    """What the page shows of one entry: the inbound post and the reply side by side."""

    item: SupervisionItem
    inbound: dict  # author_username, text, occurred_at, post_id (archived, else from the relationship store)
    flags: list[dict]


def entries(page: Page) -> list[Entry]:
    shown = []
    for item in page.rows:
        reply = item.reply
        record = reply.inbound_record
        if record is not None:
            payload = record.payload
            inbound = {
                "author": payload.get("author_username") or payload.get("author_id", ""),
                "text": payload.get("text", ""),
                "occurred_at": payload.get("occurred_at", ""),
                "archived": record.seq,
            }
        elif reply.interaction is not None:
            inbound = {
                "author": reply.interaction.actor_username or reply.interaction.actor_id,
                "text": reply.interaction.text,
                "occurred_at": reply.interaction.occurred_at.isoformat(),
                "archived": None,
            }
        else:
            inbound = {"author": "", "text": "", "occurred_at": "", "archived": None}
        shown.append(Entry(item, inbound, [_flag_shown(detail) for detail in item.flag_details]))
    return shown


PII_KINDS = {
    "pii.iban": gettext_lazy("an IBAN"),
    "pii.card": gettext_lazy("a card number"),
    "pii.phone": gettext_lazy("a phone number"),
    "pii.email": gettext_lazy("an e-mail address"),
}


def _flag_shown(detail: dict) -> dict:
    label = dict(Flag.choices).get(detail["flag"], detail["flag"])
    inbound = detail["where"] == "inbound"
    if detail["flag"] == Flag.PERSONAL_DATA:  # the kind of data is stored, never the data itself
        values = {"label": label, "kind": str(PII_KINDS.get(detail["matched"], detail["matched"]))}
        if inbound:
            sentence = _("%(label)s in the post answered: %(kind)s") % values
        else:
            sentence = _("%(label)s in the reply: %(kind)s") % values
    else:
        values = {"label": label, "matched": detail["matched"]}
        if inbound:
            sentence = _("%(label)s in the post answered: “%(matched)s”") % values
        else:
            sentence = _("%(label)s in the reply: “%(matched)s”") % values
    return {**detail, "label": label, "sentence": sentence}


def rates() -> list[SamplingRate]:
    return list(SamplingRate.objects.select_related("adviser", "set_by").order_by("adviser__email"))


def adviser_by_email(email: str):
    return get_user_model().objects.filter(email__iexact=email.strip()).first()
