"""Reads from the archive: search, one record and its neighbours, a post's communication record.

Who may call them is decided by the views (``@access(COMPLIANCE)``); nothing here filters by person, because
the archive is the compliance function's record of everything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from compliance.archive import events
from compliance.archive.chain import canonical_record, record_hash, timestamp
from compliance.archive.export import day_bounds
from compliance.archive.models import ArchiveExport, ArchiveRecord, ArchiveVerification, LegalHold


def latest_verification() -> ArchiveVerification | None:
    """The latest finished run (one still under way has no outcome yet)."""
    return ArchiveVerification.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def verification_history():
    """Every run, newest first (paged by the caller on the primary key)."""
    return ArchiveVerification.objects.order_by("-pk")


# The payload's full-text vector, exactly as migration 0003 indexes it (GIN, PostgreSQL only).
PAYLOAD_TSVECTOR = "to_tsvector('simple'::regconfig, left(payload_json, 100000))"
# At most this many people match a name in the adviser filter (a name shared by more is too vague).
ADVISER_MATCHES = 200


def _people_matching(adviser: str) -> list[int]:
    """Staff ids for an e-mail (exact, any case) or part of a first or last name: the adviser filter is
    resolved on the people table (thousands of rows) before the archive (millions) is read."""
    users = get_user_model().objects
    if "@" in adviser:
        people = users.filter(email__iexact=adviser)
    else:
        people = users.filter(Q(first_name__icontains=adviser) | Q(last_name__icontains=adviser))
    return list(people.order_by("pk").values_list("pk", flat=True)[:ADVISER_MATCHES])


def _tsquery(text: str) -> str:
    """Each word of ``text`` as a lexeme (``'crédit' & 'immobilier'``), for ``to_tsquery('simple', …)``;
    quotes and backslashes separate words, so nothing the user types is tsquery syntax. Whole words, not
    prefixes: PostgreSQL estimates a prefix (``'immo':*``) at 2 % of the archive whatever its real
    frequency, and then reads the primary key backwards computing every record's vector (a full scan for a
    rare word), while a whole word is estimated from the index's statistics."""
    terms = re.sub(r"['\\]", " ", text).split()
    return " & ".join(f"'{term}'" for term in terms if re.search(r"\w", term))


def _seq_range(start: datetime, end: datetime) -> tuple[int, int] | None:
    """The sequence numbers recorded in ``[start, end)``: timestamps follow the sequence (they are taken
    under the append lock), so a date range is a seq range, found with two probes of the recorded_at
    index; the page is then read backwards on the primary key from the range's end."""
    first = (
        ArchiveRecord.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
        .order_by("recorded_at")
        .values_list("seq", flat=True)
        .first()
    )
    if first is None:
        return None
    last = (
        ArchiveRecord.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
        .order_by("-recorded_at")
        .values_list("seq", flat=True)
        .first()
    )
    return first, last


def search_records(
    *,
    adviser: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    event_type: str = "",
    text: str = "",
    network_post_id: str = "",
) -> QuerySet[ArchiveRecord]:
    """Newest first, to be read a page at a time by seq (``advocacy.web.paging.keyset_page``): every
    filter is served by an index ending with ``seq`` (or by the primary key), so the cost of a page does
    not grow with the archive (issue 13; the plans are checked by ``tests/archive/test_search_plans.py``).

    ``adviser``: an e-mail (exact, any case) or part of a first or last name; matches events by the person
    (actor) and about them (subject person), and, by e-mail, events by people whose account has since been
    erased (the stored e-mail). ``text``: words of the payload, all of them, and
    then the exact text as typed, any case (whole words through the full-text index on PostgreSQL, a
    substring on SQLite)."""
    records = ArchiveRecord.objects.all()
    if adviser:
        adviser = adviser.strip()
        ids = _people_matching(adviser)
        match = Q(actor_id__in=ids) | Q(subject_user_id__in=ids) if ids else Q(pk__in=[])
        if "@" in adviser:
            records = records.alias(actor_email_lower=Lower("actor_email"))
            match |= Q(actor_email_lower=adviser.lower())
        records = records.filter(match)
    if date_from or date_to:
        start, end = day_bounds(date_from or date(1970, 1, 1), date_to or date(9999, 12, 30))
        seqs = _seq_range(start, end)
        if seqs is None:
            return records.none()
        records = records.filter(
            seq__gte=seqs[0], seq__lte=seqs[1], recorded_at__gte=start, recorded_at__lt=end
        )
    if event_type:
        if event_type.endswith("."):
            # A family ("share."): the declared types it holds, matched exactly, which the event-type index
            # serves (a LIKE prefix would scan the archive); a free-form family (tests) by prefix.
            family = [t for t in events.event_types() if t.startswith(event_type)]
            records = (
                records.filter(event_type__in=family)
                if family
                else records.filter(event_type__startswith=event_type)
            )
        else:
            records = records.filter(event_type=event_type)
    if text:
        if connection.vendor == "postgresql" and _tsquery(text):
            records = records.filter(
                RawSQL(  # noqa: S611 - constant SQL; the query text is a parameter
                    f"{PAYLOAD_TSVECTOR} @@ to_tsquery('simple'::regconfig, %s)",
                    (_tsquery(text),),
                    output_field=BooleanField(),
                )
            )
        # The payload is stored as JSON text: characters JSON escapes (quotes, backslashes, newlines) are
        # searched in their escaped form. On PostgreSQL this only re-checks the full-text index's rows.
        escaped = json.dumps(text, ensure_ascii=False)[1:-1]
        records = records.filter(payload_json__icontains=escaped)
    if network_post_id:
        records = records.filter(network_post_id=network_post_id.strip())
    return records.order_by("-seq")


# Free text on PostgreSQL is read in seq ranges from the head, this many records first, doubling
# (``advocacy.web.paging.windowed_rows``). A word in 0.1 % of the records fills a page of 50 within three
# ranges (16,384 + 32,768 + 65,536 records); a rare word costs one more cheap query per doubling.
TEXT_WINDOW = 16_384


def search_window(*, text: str = "", **_filters) -> int | None:
    """The first seq range to read a search's page in, or None for a single query. Only PostgreSQL's
    full-text path needs one: its GIN index yields a bitmap of every matching record, which PostgreSQL
    fetches from the table, all of them, before it sorts by seq and keeps a page (5,000 scattered heap
    pages for a word in 0.1 % of 5,000,000 records: ~1 s from disk); within a seq range it intersects the
    bitmap with the primary key's range and reads only the range's matches. Every other filter is an index
    ending with seq (read in order, stopping after a page), and SQLite's substring search scans anyway."""
    if text and connection.vendor == "postgresql" and _tsquery(text):
        return TEXT_WINDOW
    return None


def event_types() -> list[str]:
    """The declared event types (``events.SCHEMAS``): what the search offers, without scanning the archive
    (a ``SELECT DISTINCT`` over years of records was the dearest query of every search page)."""
    return events.event_types()


@dataclass
class RecordView:
    record: ArchiveRecord
    previous: int | None
    following: int | None
    hash_ok: bool
    links_to_previous: bool | None


def record_with_neighbours(seq: int) -> RecordView | None:
    entry = ArchiveRecord.objects.filter(seq=seq).first()
    if entry is None:
        return None
    before = ArchiveRecord.objects.filter(seq__lt=seq).order_by("-seq").values_list("seq", "hash").first()
    after = ArchiveRecord.objects.filter(seq__gt=seq).order_by("seq").values_list("seq", flat=True).first()
    canonical = canonical_record(
        entry.seq,
        timestamp(entry.recorded_at),
        entry.event_type,
        entry.actor_id,
        entry.actor_email,
        entry.actor_name,
        entry.subject_ref,
        entry.subject_repr,
        entry.subject_user_id,
        entry.network_post_id,
        entry.payload_json,
    )
    return RecordView(
        record=entry,
        previous=before[0] if before else None,
        following=after,
        hash_ok=record_hash(entry.prev_hash, canonical) == entry.hash,
        links_to_previous=(before[1] == entry.prev_hash) if before and before[0] == seq - 1 else None,
    )


# --- FINRA 2210(b)(4): the record of a communication -------------------------------------------------------
@dataclass
class Approval:
    approver: str
    approved_at: datetime
    seq: int


@dataclass
class CommunicationRecord:
    network_post_id: str
    text: str = ""
    version_id: object = None
    version_number: int | None = None
    fingerprint: str = ""
    version_text: str = ""
    preparer: str = ""
    prepared_at: datetime | None = None
    adviser: str = ""
    first_use: datetime | None = None
    last_use: datetime | None = None
    still_in_use: bool = True
    version_first_use: datetime | None = None
    version_last_use: datetime | None = None
    approvals: list[Approval] = field(default_factory=list)
    events: list[ArchiveRecord] = field(default_factory=list)

    @property
    def text_matches_version(self) -> bool | None:
        if not self.version_text or not self.text:
            return None
        return self.version_text == self.text


def _with_payload_value(records: QuerySet, key: str, value) -> QuerySet:
    """Records whose canonical payload holds ``"key":value`` at any depth (the value as a number or a
    string: emitters are not all consistent), confirmed on the parsed payload."""
    spellings = {json.dumps(value, ensure_ascii=False), json.dumps(str(value), ensure_ascii=False)}
    condition = Q()
    for spelling in spellings:
        condition |= Q(payload_json__contains=f'"{key}":{spelling}')
    return records.filter(condition)


def _who(entry: ArchiveRecord) -> str:
    return entry.actor_name or entry.actor_email or entry.subject_repr


def _person_label(person: dict) -> str:
    name, email = person.get("name") or "", person.get("email") or ""
    return f"{name} <{email}>" if name and email and name != email else (name or email)


def _adviser_of(published: ArchiveRecord) -> str:
    """The adviser as the ``share.published`` record names them; records written before the payload held
    ``adviser`` name them through ``subject_user_id`` (the share's adviser), resolved to the person."""
    person = published.payload.get("adviser")
    if person:
        return _person_label(person)
    if published.subject_user_id:
        user = get_user_model().objects.filter(pk=published.subject_user_id).first()
        if user is not None:
            return _person_label({"name": user.get_full_name(), "email": user.email})
    return published.actor_name or published.actor_email or ""


def _version_ref(version_id) -> str:
    """The version's ``subject_ref`` (``app_label.model:pk``); spelled out so that the archive, which every
    app writes to, imports none of them (the communication-record test breaks if the label moves)."""
    return f"content.contentversion:{version_id}"


# Events about a version (their subject is the version): its creation, submission and approvals.
_VERSION_EVENTS = ("content.version_created", "content.submitted", "review.first_approval", "review.approved")


def communication_record(network_post_id: str) -> CommunicationRecord | None:
    """The text, the dates of first and last use, the preparer, the approver(s) and approval dates of one
    published post, rebuilt from what the services archived (payload keys: ``compliance/archive/events.py``).

    The version's own events are found by their subject (the version), which every writer has always set,
    so records written before the payload schemas are read too; every approval counts, the first of a
    two-approver category included."""
    post_events = list(ArchiveRecord.objects.filter(network_post_id=network_post_id).order_by("seq"))
    if not post_events:
        return None
    rec = CommunicationRecord(network_post_id=network_post_id, events=post_events)
    published = [e for e in post_events if e.event_type == "share.published"]
    deleted = [e for e in post_events if e.event_type == "share.deleted"]
    if published:
        first = published[0]
        payload = first.payload
        rec.text, rec.version_id = payload.get("text", ""), payload.get("version_id")
        rec.fingerprint = payload.get("fingerprint", "")
        rec.adviser = _adviser_of(first)
        rec.first_use = first.recorded_at
    if deleted:
        rec.last_use, rec.still_in_use = deleted[-1].recorded_at, False
        if rec.version_id is None:
            rec.version_id = deleted[-1].payload.get("version_id")
    if rec.version_id is None:
        return rec
    seen = {e.seq for e in rec.events}
    about_version = ArchiveRecord.objects.filter(
        subject_ref=_version_ref(rec.version_id), event_type__in=_VERSION_EVENTS
    ).order_by("seq")
    for entry in about_version:
        if entry.event_type == "content.version_created" and not rec.preparer:
            rec.preparer, rec.prepared_at = _who(entry), entry.recorded_at
            rec.version_text = entry.payload.get("text", "")
            payload = entry.payload  # "number" in records written before the payload schemas
            rec.version_number = payload.get("version_number", payload.get("number"))
        elif entry.event_type in ("review.first_approval", "review.approved"):
            rec.approvals.append(Approval(approver=_who(entry), approved_at=entry.recorded_at, seq=entry.seq))
        if entry.seq not in seen:
            rec.events.append(entry)
            seen.add(entry.seq)
    version_uses: list[datetime] = []
    version_ends: list[datetime] = []
    uses = _with_payload_value(
        ArchiveRecord.objects.filter(event_type__in=["share.published", "share.deleted"]),
        "version_id",
        rec.version_id,
    ).order_by("seq")
    for entry in uses:
        if str(entry.payload.get("version_id")) != str(rec.version_id):
            continue  # the key matched in a nested object, not at the top level
        (version_uses if entry.event_type == "share.published" else version_ends).append(entry.recorded_at)
    rec.events.sort(key=lambda e: e.seq)
    if version_uses:
        rec.version_first_use = min(version_uses)
        rec.version_last_use = max(version_ends) if len(version_ends) >= len(version_uses) else None
    return rec


# --- Exports and holds -------------------------------------------------------------------------------------
def recent_exports() -> QuerySet[ArchiveExport]:
    """Newest first by creation time, to be read a page at a time (``keyset_page`` on ``created_at``)."""
    return ArchiveExport.objects.order_by("-created_at")


def active_legal_holds() -> QuerySet[LegalHold]:
    """Newest first by id (the order they were placed), to be read a page at a time."""
    return LegalHold.objects.filter(released_at=None).order_by("-pk")
