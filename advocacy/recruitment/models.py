"""ATS profiles, applications and the webhook inbox of recruitment.

No candidate personal data is ever stored here: an application is the ATS's own application id, the job
reference, the per-share source reference it arrived with, its stage and two dates. Names, e-mail
addresses, CVs and answers that the ATS puts in its webhook payloads are dropped by ``formats`` before a
delivery is stored, so not even the inbox holds them (``ApplicationDelivery.events`` keeps the extracted
fields only, never the raw body).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.content.models import ContentItem
from advocacy.networks import crypto
from advocacy.org.models import Branch, Region
from advocacy.shares.models import Share


class Vendor(models.TextChoices):
    GREENHOUSE = "greenhouse", "Greenhouse"
    LEVER = "lever", "Lever"
    WORKDAY = "workday", "Workday"
    TEAMTAILOR = "teamtailor", "Teamtailor"
    SMARTRECRUITERS = "smartrecruiters", "SmartRecruiters"
    GENERIC = "generic", _("Other ATS (UTM parameters)")


class Stage(models.TextChoices):
    """The stages Relais counts, whatever the ATS calls them (``formats.normalise_stage``)."""

    APPLIED = "applied", _("Applied")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ATSProfile(models.Model):
    """How one applicant-tracking system is reached: its source parameters and its webhook secret.

    ``parameters`` is data, not code: a mapping from query parameter to value template, where ``{ref}`` is
    the share's source reference (``references.reference_for``); a list value repeats the parameter.
    ``formats.DEFAULT_PARAMETERS`` gives each vendor's documented convention as the starting point.
    ``replace_utm`` drops the ``utm_*`` parameters Relais adds to every other tracked link: an ATS that
    reads its own parameter does not need them (Greenhouse, Lever, Workday); Teamtailor, SmartRecruiters
    and generic ATSs read UTM, so they keep them (``utm_content`` then carries the reference).

    The webhook secret is encrypted at rest with the X tokens' keys (``advocacy.networks.crypto``,
    rotated by the same ``rotate_token_key``) and never shown or logged once saved.
    """

    Vendor = Vendor

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("identifier in the webhook address"), max_length=50, unique=True)
    vendor = models.CharField(_("ATS"), max_length=20, choices=Vendor.choices)
    parameters = models.JSONField(
        _("source parameters"),
        default=dict,
        blank=True,
        help_text=_('Added to the apply link; {ref} is the share\'s reference, e.g. {"gh_src": "{ref}"}.'),
    )
    replace_utm = models.BooleanField(_("replace the UTM parameters"), default=True)
    webhook_secret_encrypted = models.TextField(_("webhook secret (encrypted)"), blank=True, editable=False)
    applies_to_all = models.BooleanField(
        _("every job offer"),
        default=False,
        help_text=_("Used for every job offer that no other profile names."),
    )
    items = models.ManyToManyField(
        ContentItem,
        blank=True,
        related_name="+",
        limit_choices_to={"category": "recruitment"},
        verbose_name=_("job offers"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ATS profile")
        verbose_name_plural = _("ATS profiles")

    def __str__(self) -> str:
        return self.name

    def set_webhook_secret(self, secret: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt(secret)

    def webhook_secret(self) -> crypto.Secret:
        return crypto.decrypt(self.webhook_secret_encrypted)


class Application(models.Model):
    """One application in the ATS, attributed to the share whose reference it carried (or to nobody).

    ``share``, ``employee``, ``branch`` and ``region`` are set together when the source reference names a
    share of this job offer: the sharer's branch and region *at attribution time*, so a later transfer does
    not move past applications. ``job_reference`` is kept as text (the ATS's id) besides ``item``.
    """

    Stage = Stage

    profile = models.ForeignKey(
        ATSProfile, on_delete=models.PROTECT, related_name="applications", verbose_name=_("ATS profile")
    )
    external_id = models.CharField(_("application id in the ATS"), max_length=64)
    job_reference = models.CharField(_("job reference"), max_length=64, db_index=True)
    item = models.ForeignKey(
        ContentItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("job offer")
    )
    source_reference = models.CharField(_("source reference"), max_length=64, blank=True)
    share = models.ForeignKey(
        Share, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("share")
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employee"),
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("branch")
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    applied_at = models.DateTimeField(_("applied"))
    hired_at = models.DateTimeField(_("hired"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["profile", "external_id"], name="application_once_per_ats")
        ]
        indexes = [
            models.Index(fields=["item", "stage"], name="application_item_stage"),
            models.Index(fields=["share"], name="application_share"),
        ]

    def __str__(self) -> str:
        return f"{self.profile.slug}:{self.external_id}"


class ApplicationDelivery(models.Model):
    """A verified webhook delivery, kept until a worker has applied it (``intake.drain``).

    ``digest`` is the SHA-256 of the raw body: a delivery the ATS sends twice (a retry, a replay) is the
    same bytes and is stored once; applied rows are kept (``processed_at``) so that a replay days later is
    still recognised, and applying an event twice changes nothing anyway (``intake.apply_events``). After
    ``ATS_INBOX_RETENTION_DAYS`` an applied row is deleted (``intake.purge_processed``, daily).
    ``events`` holds what ``formats`` extracted (ids, stage, dates, the source reference), never the body:
    the body carries the candidate's name and e-mail address.
    """

    profile = models.ForeignKey(ATSProfile, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    events = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "digest"], name="ats_delivery_once")]
        indexes = [
            models.Index(
                fields=["id"],
                name="ats_delivery_pending",
                condition=models.Q(processed_at=None, failed_at=None),
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.digest[:12]})"
