"""An adviser's clients: erasable personal data, kept only with a purpose (GDPR art. 5, 6, 17).

A client's X handle is stored only once the client consented (``Consent``); withdrawing the consent clears
the handle and the resolved X user id in the same transaction, so nothing links the client to X afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandleStatus(models.TextChoices):
    NONE = "none", _("No handle")
    PENDING = "pending", _("To resolve")
    RESOLVED = "resolved", _("Resolved")
    UNKNOWN = "unknown", _("Unknown to X")
    ERROR = "error", _("Resolution failed")


class Client(models.Model):
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients", verbose_name=_("adviser")
    )
    branch = models.ForeignKey(
        "org.Branch", on_delete=models.PROTECT, related_name="clients", verbose_name=_("branch")
    )
    client_ref = models.CharField(_("client reference"), max_length=64, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    x_handle = models.CharField(_("X handle"), max_length=15, blank=True)
    x_user_id = models.CharField(_("X user id"), max_length=32, blank=True)
    handle_status = models.CharField(
        _("handle status"), max_length=10, choices=HandleStatus.choices, default=HandleStatus.NONE
    )
    handle_resolved_at = models.DateTimeField(_("handle resolved"), null=True, blank=True)
    current_consent = models.ForeignKey(
        "Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["adviser", "x_user_id"], name="client_adviser_xuser"),
            models.Index(fields=["adviser", "last_name", "first_name", "id"], name="client_adviser_list"),
            models.Index(fields=["branch", "last_name", "first_name", "id"], name="client_branch_list"),
            models.Index(fields=["handle_status", "handle_resolved_at"], name="client_handle_status"),
            models.Index(fields=["last_interaction_at"], name="client_last_interaction"),
        ]

    def __str__(self) -> str:
        return self.client_ref

    @property
    def consent_given(self) -> bool:
        consent = self.current_consent
        return bool(consent and consent.given and consent.withdrawn_at is None)

    @property
    def linked(self) -> bool:
        """Consented and resolved: interactions of this X user may be attributed to this client."""
        return self.consent_given and bool(self.x_user_id)


class Consent(models.Model):
    class Method(models.TextChoices):
        FORM = "form", _("Form")
        SIGNED_DOCUMENT = "signed_document", _("Signed document")
        BRANCH_VISIT = "branch_visit", _("Branch visit")
        IMPORT = "import", _("Import")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    given = models.BooleanField(_("given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    wording_version = models.CharField(_("wording version"), max_length=32)
    consent_date = models.DateField(_("consent date"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["client", "-recorded_at"], name="consent_client_recent")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.consent_date}"


class ClientImport(models.Model):
    """One CRM file uploaded by a manager or an administrator, and what came of it.

    The file holds clients' personal data: it is kept only until a worker has imported it (``content`` is
    emptied when the import finishes, done or failed) and never written to a log. What stays is the count
    and the row errors (``ClientImportError``), which name the line and column and quote the refused cell.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        """What the import came to, as its reader needs it: "Done" alone says nothing of the rows."""

        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        WITH_ERRORS = "with_errors", _("Imported, some rows refused")
        NOTHING_IMPORTED = "nothing_imported", _("Nothing imported: every row refused")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    original_filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"), blank=True)
    size_bytes = models.PositiveIntegerField(_("size"), default=0)
    adviser_column = models.CharField(_("adviser column"), max_length=32, default="adviser_email")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Touched with every chunk: a run whose worker died can be told from a slow one.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)

    class Meta:
        verbose_name = _("client import")
        verbose_name_plural = _("client imports")
        indexes = [models.Index(fields=["uploaded_by", "-id"], name="client_import_by_uploader")]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

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
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def waiting_for_worker(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def imported_rows(self) -> int:
        return self.created_count + self.updated_count + self.unchanged_count

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ClientImportError(models.Model):
    """One refused cell of an upload, kept as the message's English msgid and its parameters and put into
    words in the reader's language when shown (``crm_file.shown``). In line order: the id pages them."""

    client_import = models.ForeignKey(ClientImport, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=64, blank=True)
    code = models.CharField(_("code"), max_length=32)
    msgid = models.TextField(_("message"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("client import error")
        verbose_name_plural = _("client import errors")
        indexes = [models.Index(fields=["client_import", "id"], name="client_import_error_page")]

    def __str__(self) -> str:
        return f"{self.line} {self.column} {self.code}"
