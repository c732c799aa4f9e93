from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterImport(models.Model):
    """One upload of HR's staff roster and what came of it.

    The file itself is kept (it is at most 5 MB) so that the worker reads exactly what was uploaded and an
    auditor can see it later; its sha256 goes to the archive with the counts.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        """What the import came to, as HR reads it (not a column: ``outcome`` answers it from the counts).
        "Done" alone said nothing of the rows: an import whose every row was refused showed a green "Done"."""

        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        WITH_ERRORS = "with_errors", _("Imported, some rows refused")
        NOTHING_IMPORTED = "nothing_imported", _("Nothing imported: every row refused")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    original_filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    deactivate_missing = models.BooleanField(_("deactivate staff missing from the file"), default=False)
    send_invitations = models.BooleanField(_("invite new staff"), default=False)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Touched with every progress update: a run whose worker died can be told from a slow one.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    deactivated_count = models.PositiveIntegerField(_("deactivated"), default=0)
    invited_count = models.PositiveIntegerField(_("invited"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [{line, column, message}]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def outcome(self) -> Outcome:
        if self.status == self.Status.QUEUED:
            return self.Outcome.QUEUED
        if self.status == self.Status.RUNNING:
            return self.Outcome.RUNNING
        if self.status == self.Status.FAILED:
            return self.Outcome.FAILED
        if not self.error_count:
            return self.Outcome.IMPORTED
        if self.error_count >= self.total_rows:
            return self.Outcome.NOTHING_IMPORTED
        return self.Outcome.WITH_ERRORS

    @property
    def nothing_imported(self) -> bool:
        return self.outcome == self.Outcome.NOTHING_IMPORTED

    @property
    def imported_with_errors(self) -> bool:
        return self.outcome == self.Outcome.WITH_ERRORS

    @property
    def imported_rows(self) -> int:
        """Rows taken in (created, updated or already up to date), as against the rows refused."""
        return self.created_count + self.updated_count + self.unchanged_count

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
