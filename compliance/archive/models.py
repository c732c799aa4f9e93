"""The regulatory archive: one append-only, hash-chained table of compliance events, and its bookkeeping.

Why the shapes below:

* ``ArchiveRecord.seq`` is the primary key and is assigned by ``services.record`` under the lock of the
  single ``ArchiveHead`` row, never by a database sequence: a sequence would leave gaps on rollback, and a
  gap is exactly what an examiner reads as "something was deleted".
* People and objects are referenced by plain ids and strings, never by ``ForeignKey``: erasing a user or a
  content item elsewhere must neither cascade into the archive nor be blocked by it (GDPR art. 17(3)(b),
  docs/archive.md). The archive keeps a snapshot (e-mail, name, ``str()``) taken at the time.
* ``payload`` is stored as the exact canonical JSON text that was hashed, so verification is a byte-exact
  recomputation that never depends on how a database round-trips JSON.
* Records, checkpoints and purge anchors are protected by database triggers (migration 0002): UPDATE,
  DELETE and TRUNCATE are refused; only the retention purge opens a permit for its own transaction.
"""

from __future__ import annotations

import json
import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

HEAD_PK = 1
GENESIS_HASH = "0" * 64


class ArchiveRecord(models.Model):
    seq = models.BigIntegerField(_("sequence"), primary_key=True)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    event_type = models.CharField(_("event type"), max_length=100)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_email = models.CharField(_("actor e-mail"), max_length=254, blank=True, db_index=True)
    actor_name = models.CharField(_("actor name"), max_length=300, blank=True)
    subject_ref = models.CharField(_("subject"), max_length=255, blank=True, db_index=True)
    subject_repr = models.CharField(_("subject description"), max_length=500, blank=True)
    subject_user_id = models.BigIntegerField(_("person concerned"), null=True, blank=True, db_index=True)
    network_post_id = models.CharField(_("network post id"), max_length=64, blank=True, db_index=True)
    payload_json = models.TextField(_("payload (canonical JSON)"))
    # Diagnostic only (not part of the chain): lets verification say "the payload changed" rather than
    # only "the record changed".
    payload_sha256 = models.CharField(_("payload SHA-256"), max_length=64)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        # Every search form is served by an index that ends with ``seq``, so a page of the newest matches
        # is read in key order and stops after 51 rows (compliance/archive/selectors.py). The payload's
        # full-text GIN index is PostgreSQL's own: migration 0003 creates it (``PAYLOAD_FTS_SQL``).
        indexes = [
            models.Index(fields=["event_type", "seq"], name="archive_event_type_seq"),
            models.Index(fields=["actor_id", "seq"], name="archive_actor_seq"),
            models.Index(fields=["subject_user_id", "seq"], name="archive_subject_user_seq"),
            models.Index(Lower("actor_email"), "seq", name="archive_actor_email_lower_seq"),
        ]
        verbose_name = _("archive record")
        verbose_name_plural = _("archive records")

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type}"

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json)

    @property
    def pretty_payload(self) -> str:
        return json.dumps(self.payload, indent=2, ensure_ascii=False, sort_keys=True)


class ArchiveHead(models.Model):
    """The one row every append locks (``SELECT … FOR UPDATE``): the last sequence number and hash.

    Serialising appends on this row, inside the caller's transaction, is what keeps the chain linear with
    several web processes and Celery workers writing at once, and gap-free when a caller rolls back."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_PK)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("archive head")
        verbose_name_plural = _("archive head")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class ArchiveCheckpoint(models.Model):
    """The chain's head at a moment, copied outside the chain (and optionally to an external file) so that
    rewriting the whole chain from some record onwards is still detected."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily")
        MANUAL = "manual", _("Manual")

    seq = models.BigIntegerField(_("sequence"), db_index=True)
    hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("created"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DAILY)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("archive checkpoint")
        verbose_name_plural = _("archive checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


class ArchivePurgedRange(models.Model):
    """An anchor left by the retention purge: records ``first_seq``..``last_seq`` were deleted, and the
    last of them had ``last_hash``. Verification crosses the hole by checking that the next record's
    ``prev_hash`` equals ``last_hash``."""

    first_seq = models.BigIntegerField(_("first purged sequence"), unique=True)
    last_seq = models.BigIntegerField(_("last purged sequence"))
    last_hash = models.CharField(_("hash of the last purged record"), max_length=64)
    record_count = models.BigIntegerField(_("records purged"))
    purged_at = models.DateTimeField(_("purged at"))

    class Meta:
        ordering = ["first_seq"]
        verbose_name = _("purged range")
        verbose_name_plural = _("purged ranges")

    def __str__(self) -> str:
        return f"purged #{self.first_seq}-#{self.last_seq}"


class ArchivePurgePermit(models.Model):
    """SQLite only: the archive's DELETE triggers let a delete through while this table has a row. The
    purge inserts the row and removes it inside its own transaction. (PostgreSQL uses the transaction-local
    setting ``relais.archive_purge`` instead.)"""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    granted_at = models.DateTimeField()

    class Meta:
        db_table = "archive_purge_permit"

    def __str__(self) -> str:
        return f"purge permit {self.granted_at}"


class ArchiveVerification(models.Model):
    """One run of the chain verification; the latest finished one drives the compliance banner.

    A run asked for in the portal exists before it starts (``finished_at`` and ``ok`` empty) so that its page
    can show progress: ``records_checked`` grows as the worker reads, against ``records_expected``."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("intact"), null=True)
    records_checked = models.BigIntegerField(_("records checked"), default=0)
    records_expected = models.BigIntegerField(_("records expected"), default=0)
    requested_by_id = models.BigIntegerField(_("requested by (id)"), null=True)
    requested_by_email = models.CharField(_("requested by"), max_length=254, blank=True)
    last_seq = models.BigIntegerField(_("last sequence"), null=True, blank=True)
    first_bad_seq = models.BigIntegerField(_("first bad sequence"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=40, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    trigger = models.CharField(_("run by"), max_length=20, default="command")

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"
        verbose_name = _("archive verification")
        verbose_name_plural = _("archive verifications")

    def __str__(self) -> str:
        if self.finished_at is None:
            return f"verification started {self.started_at:%Y-%m-%d %H:%M}, running"
        return f"verification {self.finished_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"

    @property
    def in_progress(self) -> bool:
        return self.finished_at is None

    @property
    def trigger_label(self) -> str:
        """Who started the run, as a person reads it (``trigger`` stores a code)."""
        labels = {
            "nightly": _("Nightly run"),
            "command": _("Command line"),
            "portal": _("Started in the portal"),
            "portal:queued": _("Started in the portal"),
        }
        return str(labels.get(self.trigger, self.trigger))

    @property
    def percent(self) -> int:
        if not self.records_expected:
            return 0
        return min(100, self.records_checked * 100 // self.records_expected)


class ArchiveExport(models.Model):
    """An examiner export asked for in the portal and built by a Celery task; progress is polled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by_id = models.BigIntegerField(_("requested by (id)"), null=True)
    requested_by_email = models.CharField(_("requested by"), max_length=254, blank=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    adviser_email = models.CharField(_("adviser e-mail"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.BigIntegerField(_("records to export"), null=True, blank=True)
    written = models.BigIntegerField(_("records written"), default=0)
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, blank=True)
    zip_path = models.CharField(_("zip file"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("archive export")
        verbose_name_plural = _("archive exports")

    def __str__(self) -> str:
        return f"export {self.date_from}-{self.date_to} ({self.status})"

    @property
    def in_progress(self) -> bool:
        """Waiting for a worker or being written: the page keeps polling."""
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def ready(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.written * 100 / self.total))


class LegalHold(models.Model):
    """Suspends the retention purge for everything about one adviser, or about one subject reference
    (``app_label.model:pk`` as stored in ``ArchiveRecord.subject_ref``), until it is released."""

    user_id = models.BigIntegerField(_("adviser (id)"), null=True, blank=True, db_index=True)
    user_email = models.CharField(_("adviser e-mail"), max_length=254, blank=True)
    subject_ref = models.CharField(_("subject reference"), max_length=255, blank=True, db_index=True)
    reason = models.TextField(_("reason"))
    created_by_id = models.BigIntegerField(_("placed by (id)"), null=True)
    created_by_email = models.CharField(_("placed by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("placed"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by_email = models.CharField(_("released by"), max_length=254, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(user_id__isnull=True) & models.Q(subject_ref="")),
                name="legal_hold_has_a_target",
            )
        ]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"hold on {self.user_email or self.subject_ref}"

    @property
    def active(self) -> bool:
        return self.released_at is None
