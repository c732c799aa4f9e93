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
