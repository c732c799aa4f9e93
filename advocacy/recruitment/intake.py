"""Applications in: the one function that stores, attributes, moves and archives them, and the webhook inbox.

Both doors, the signed webhook and the CSV import, end in ``apply_events``: one transaction that creates
the applications Relais has not seen, moves the stages of the others, attributes each new one to the share
whose source reference it carries (then to that share's employee, branch and region) and archives every
receipt and stage change (``recruitment.application_received``, ``recruitment.stage_changed``) with
``record_many``: one archive lock for the whole batch, not one per application. Applying the same events
twice changes nothing and archives nothing the second time.

The webhook stores a verified delivery's extracted events (never the body: it names the candidate) and
answers at once; ``drain`` applies pending deliveries in batches (``FOR UPDATE SKIP LOCKED``, as the X inbox
does, ``advocacy.relationships.inbox``), so intake is one INSERT per delivery whatever the archive's load.

Attribution rules: a reference that is not one Relais made (``references.share_id_from``), or that names
a share of another job offer, leaves the application unattributed, counted but credited to nobody.

Stage rules (``_may_move``): a webhook event never moves an application to an earlier stage of the
pipeline (applied, screening, interview, offer, hired: ``_PIPELINE``, the order of ``Stage``) than the one
it is at, and never back to "applied" once it is held, whatever stage it is at: a late delivery, or a body
replayed after the inbox forgot its digest (``purge_processed``), is not news, and archiving it as a
``recruitment.stage_changed`` would put a move that never happened in the archive. Neither vendor lets us
order events otherwise: what ``formats`` reads of Greenhouse's payload is the application as it stands
(stage, status, ``applied_at``), with no event time or sequence; Lever's ``triggeredAt`` is kept only as
the application or hire date. Rejected and withdrawn may follow any stage, and an application rejected
or withdrawn may be reopened by a later stage (screening and beyond). A CSV import (``via="csv"``, a
person correcting the record) may set any stage, a hired one back to an offer included (its hire date
then goes with it). See docs/recruitment.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from advocacy.content.models import JobOffer
from advocacy.networks import crypto
from advocacy.recruitment.formats import ApplicationEvent
from advocacy.recruitment.models import Application, ApplicationDelivery, ATSProfile, Stage
from advocacy.recruitment.references import share_id_from
from advocacy.shares.models import Share
from compliance.archive.services import Event, record_many

logger = logging.getLogger(__name__)

BATCH = 500
_PENDING_KEY = "recruitment:ats-drain-pending"
_PIPELINE = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)  # in order
_CLOSED = (Stage.REJECTED, Stage.WITHDRAWN)
CORRECTION = "csv"  # the ``via`` of a person's import: may set any stage


class UnknownJobReference(ValueError):
    def __init__(self, references: Iterable[str]):
        self.references = sorted(set(references))
        super().__init__(", ".join(self.references))


@dataclass
class Outcome:
    created: int = 0
    moved: int = 0
    unchanged: int = 0
    unknown_applications: list[str] = field(default_factory=list)  # updates of applications never received


def job_items(references: Iterable[str]) -> dict[str, int]:
    """Job reference -> the job offer's item id, for the references that name a job offer."""
    references = {r for r in references if r}
    if not references:
        return {}
    return dict(JobOffer.objects.filter(job_reference__in=references).values_list("job_reference", "item_id"))


_KNOWN_MEMO_SECONDS = 30.0
_known_references: dict[str, float] = {}  # job reference -> known until (monotonic), in this process


def unknown_job_references(events: Iterable[ApplicationEvent]) -> list[str]:
    """The job references of ``events`` that name no job offer. A reference found is remembered in this
    process for ``_KNOWN_MEMO_SECONDS`` (the webhook then costs no query for it); one not found is never
    remembered, so an offer created a moment ago is accepted at once. An offer deleted meanwhile is caught
    by the drain (its delivery is set aside with the error)."""
    now = time.monotonic()
    wanted = {
        e.job_reference for e in events if e.job_reference and _known_references.get(e.job_reference, 0) < now
    }
    if not wanted:
        return []
    found = set(job_items(wanted))
    if len(_known_references) > 10_000:
        _known_references.clear()
    _known_references.update(dict.fromkeys(found, now + _KNOWN_MEMO_SECONDS))
    return sorted(wanted - found)


def _when(value: str) -> dt.datetime | None:
    return parse_datetime(value) if value else None


def _attribution(events: list[ApplicationEvent], items: dict[str, int]) -> dict[str, Share]:
    """Source reference -> the share it names, when that share is of the event's job offer."""
    wanted = {e.source_reference: share_id_from(e.source_reference) for e in events if e.source_reference}
    ids = {share_id for share_id in wanted.values() if share_id}
    if not ids:
        return {}
    shares = {
        s.pk: s
        for s in Share.objects.filter(pk__in=ids)
        .select_related("adviser__staff__branch")
        .only(
            "id", "item_id", "adviser_id", "adviser__staff__branch__id", "adviser__staff__branch__region_id"
        )
    }
    found = {}
    for event in events:
        share = shares.get(wanted.get(event.source_reference))
        if share is not None and share.item_id == items.get(event.job_reference):
            found[event.source_reference] = share
    return found


def _may_move(current: str, new: str, *, via: str) -> bool:
    """Whether an event at stage ``new`` moves an application at ``current`` (module docstring)."""
    if new == current:
        return False
    if via == CORRECTION or new in _CLOSED:
        return True
    if new == Stage.APPLIED:  # where every application starts: a held one is never sent back there
        return False
    if current in _CLOSED:  # reopened in the ATS
        return True
    return _PIPELINE.index(new) > _PIPELINE.index(current)


def apply_events(*, profile: ATSProfile, events: list[ApplicationEvent], via: str) -> Outcome:
    """Store and archive ``events`` in one transaction (all or nothing). Raises ``UnknownJobReference``
    (nothing applied) when a new application names no job offer."""
    outcome = Outcome()
    latest: dict[str, ApplicationEvent] = {}
    for event in events:  # the last event of an application in the batch wins, its first gives the job
        first = latest.get(event.external_id)
        if (
            first is not None
            and first.stage != event.stage
            and not _may_move(first.stage, event.stage, via=via)
        ):
            # a late event within the batch, taken as if applied after the one before it: it moves nothing,
            # but it may be the creation that names the job of an application this batch has not seen yet
            if first.job_reference or not event.job_reference:
                continue
            event = ApplicationEvent(
                **{
                    **first.as_dict(),
                    "job_reference": event.job_reference,
                    "source_reference": event.source_reference,
                    "applied_at": first.applied_at or event.applied_at,
                }
            )
        elif first is not None and not event.job_reference:
            event = ApplicationEvent(
                **{
                    **event.as_dict(),
                    "job_reference": first.job_reference,
                    "source_reference": first.source_reference,
                    "applied_at": event.applied_at or first.applied_at,
                }
            )
        latest[event.external_id] = event
    if not latest:
        return outcome
    items = job_items(e.job_reference for e in latest.values())
    with transaction.atomic():
        existing = {
            a.external_id: a
            for a in Application.objects.select_for_update().filter(
                profile=profile, external_id__in=list(latest)
            )
        }
        fresh_events = [e for key, e in latest.items() if key not in existing]
        unknown = [e.job_reference for e in fresh_events if e.job_reference and e.job_reference not in items]
        if unknown:
            raise UnknownJobReference(unknown)
        shares = _attribution(fresh_events, items)
        now = timezone.now()
        created, moved, archive = [], [], []
        for event in fresh_events:
            if not event.job_reference:
                outcome.unknown_applications.append(event.external_id)
                continue
            share = shares.get(event.source_reference)
            branch = getattr(getattr(share.adviser, "staff", None), "branch", None) if share else None
            created.append(
                Application(
                    profile=profile,
                    external_id=event.external_id,
                    job_reference=event.job_reference,
                    item_id=items[event.job_reference],
                    source_reference=event.source_reference,
                    share=share,
                    employee_id=share.adviser_id if share else None,
                    branch=branch,
                    region_id=branch.region_id if branch else None,
                    stage=event.stage,
                    applied_at=_when(event.applied_at) or now,
                    hired_at=_when(event.hired_at) or (now if event.stage == Stage.HIRED else None),
                )
            )
        for key, application in existing.items():
            event = latest[key]
            if not _may_move(application.stage, event.stage, via=via):
                outcome.unchanged += 1
                continue
            before = application.stage
            application.stage = event.stage
            if event.stage == Stage.HIRED:
                application.hired_at = _when(event.hired_at) or now
            elif before == Stage.HIRED and event.stage in _PIPELINE:  # a correction: it was not a hire
                application.hired_at = _when(event.hired_at)
            application.updated_at = now
            moved.append(application)
            archive.append(
                Event(
                    "recruitment.stage_changed",
                    subject=application,
                    payload={
                        "ats": profile.slug,
                        "application_id": application.external_id,
                        "item": application.item_id,
                        "before": before,
                        "stage": application.stage,
                        "via": via,
                    },
                )
            )
        Application.objects.bulk_create(created)
        if moved:
            Application.objects.bulk_update(moved, ["stage", "hired_at", "updated_at"])
        for application in created:
            archive.append(
                Event(
                    "recruitment.application_received",
                    subject=f"recruitment.application:{profile.slug}:{application.external_id}",
                    payload={
                        "ats": profile.slug,
                        "application_id": application.external_id,
                        "job_reference": application.job_reference,
                        "item": application.item_id,
                        "stage": application.stage,
                        "share": application.share_id,
                        "employee": application.employee_id,
                        "via": via,
                    },
                )
            )
        record_many(archive)
    outcome.created, outcome.moved = len(created), len(moved)
    return outcome


# --- the webhook inbox ----------------------------------------------------------------------------------
_PROFILE_MEMO_SECONDS = 30.0
_profiles: dict[str, tuple[float, ATSProfile, crypto.Secret]] = {}  # slug -> (until, profile, secret)


def webhook_profile(slug: str, *, fresh: bool = False) -> tuple[ATSProfile, crypto.Secret] | None:
    """The ATS profile a webhook delivery names, with its webhook secret decrypted, remembered in this
    process for ``_PROFILE_MEMO_SECONDS``: at an ATS's burst rate the profile's row and the Fernet
    decryption were one round trip and one decryption per delivery for the same answer. ``fresh`` reads
    it again (the webhook does when a signature does not verify, so a rotated secret works at once). An
    unknown slug is never remembered; any save or deletion of a profile in this process forgets them all
    (``forget_webhook_profiles``), other processes within the memo's life."""
    now = time.monotonic()
    known = _profiles.get(slug)
    if known is not None and known[0] > now and not fresh:
        return known[1], known[2]
    profile = (
        ATSProfile.objects.filter(slug=slug).only("id", "slug", "vendor", "webhook_secret_encrypted").first()
    )
    if profile is None:
        _profiles.pop(slug, None)
        return None
    secret = profile.webhook_secret()
    if len(_profiles) > 1_000:
        _profiles.clear()
    _profiles[slug] = (now + _PROFILE_MEMO_SECONDS, profile, secret)
    return profile, secret


def forget_webhook_profiles(**kwargs) -> None:
    _profiles.clear()


_DRAIN_SEEN_SECONDS = 1.0
_drain_seen_until = 0.0  # monotonic: until then, this process takes a queued drain as still to come


def store(*, profile: ATSProfile, digest: str, events: list[ApplicationEvent]) -> bool:
    """Keep a verified delivery (False: the same body was already received) and make sure a drain is
    coming (at most one queued at a time).

    When the cache says a drain is already queued, this process believes it for ``_DRAIN_SEEN_SECONDS``
    without asking again: during a burst that is one cache round trip a second instead of one a delivery.
    The cost is bounded: a delivery stored in that second, just after that drain found the inbox empty and
    ended, waits for the next delivery's drain or beat's (every minute); it is never lost."""
    global _drain_seen_until
    row = ApplicationDelivery(profile=profile, digest=digest, events=[e.as_dict() for e in events])
    try:
        if transaction.get_connection().in_atomic_block:  # a savepoint keeps the caller's transaction usable
            with transaction.atomic():
                row.save(force_insert=True)
        else:  # the webhook: one INSERT, committed on its own (no BEGIN/COMMIT round trips)
            row.save(force_insert=True)
    except IntegrityError:
        if not ApplicationDelivery.objects.filter(profile=profile, digest=digest).exists():
            raise  # not a replay: the profile went (deleted meanwhile)
        return False
    if time.monotonic() < _drain_seen_until:
        return True
    if cache.add(_PENDING_KEY, 1, timeout=60):
        from advocacy.recruitment.tasks import drain_ats_deliveries

        try:
            drain_ats_deliveries.delay()
        except Exception:  # the broker is down: the delivery is safe, beat's drain (every minute) takes it
            cache.delete(_PENDING_KEY)
            logger.exception("Could not queue the ATS inbox drain")
    else:
        _drain_seen_until = time.monotonic() + _DRAIN_SEEN_SECONDS
    return True


def _apply_rows(rows: list[ApplicationDelivery]) -> None:
    by_profile: dict[int, list[ApplicationEvent]] = {}
    profiles = {}
    for row in rows:
        profiles[row.profile_id] = row.profile
        by_profile.setdefault(row.profile_id, []).extend(ApplicationEvent(**e) for e in row.events)
    for profile_id, events in by_profile.items():
        apply_events(profile=profiles[profile_id], events=events, via="webhook")
    ApplicationDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(processed_at=timezone.now())


def drain() -> int:
    """Apply pending deliveries, a batch at a time, until none is left; the number applied. A batch that
    fails is retried row by row, and a row that still fails is set aside with its error (``failed_at``)."""
    cache.delete(_PENDING_KEY)
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                ApplicationDelivery.objects.filter(processed_at=None, failed_at=None)
                .select_related("profile")
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))[:BATCH]
            )
            if not rows:
                return done
            try:
                with transaction.atomic():
                    _apply_rows(rows)
            except Exception:
                logger.exception("ATS batch of %d could not be applied; retrying row by row", len(rows))
                for row in rows:
                    try:
                        with transaction.atomic():
                            _apply_rows([row])
                    except Exception as exc:
                        logger.warning("ATS delivery %s set aside: %s", row.pk, type(exc).__name__)
                        ApplicationDelivery.objects.filter(pk=row.pk).update(
                            failed_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:300]
                        )
            done += len(rows)


PURGE_BATCH = 10_000


def purge_processed(*, now: dt.datetime | None = None) -> int:
    """Delete the inbox's applied deliveries older than ``ATS_INBOX_RETENTION_DAYS``; the number deleted.

    Why it is safe: an inbox row is a queue entry, not a record. What it says is in the applications and the
    archive (``recruitment.application_received`` / ``stage_changed``, written when it was applied), which
    this never touches; the row holds no personal data either way. It is kept after applying only so that
    a replay of the same body is recognised by its digest and stored once. The ATSs retry a failed delivery
    for hours to a few days (Greenhouse: 25 attempts by default, with a growing delay), so a retention of
    weeks outlives any retry; a body replayed later still is stored and applied again, and applying it
    changes nothing for an application already received (``apply_events``: not created twice, not archived
    twice, and never moved to an earlier stage of the pipeline, nor back to "applied", by a webhook event:
    ``_may_move``). Deliveries set aside (``failed_at``) or still waiting are
    kept: they await a person or a drain. Batches of ``PURGE_BATCH`` rows, each its own short DELETE."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.ATS_INBOX_RETENTION_DAYS)
    old = ApplicationDelivery.objects.filter(processed_at__lt=cutoff)
    purged = 0
    while ids := list(old.values_list("pk", flat=True)[:PURGE_BATCH]):
        purged += ApplicationDelivery.objects.filter(pk__in=ids).delete()[0]
    if purged:
        logger.info(
            "ATS inbox: %d applied deliveries older than %d days deleted",
            purged,
            settings.ATS_INBOX_RETENTION_DAYS,
        )
    return purged
