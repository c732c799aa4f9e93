"""Content: library items and adviser drafts, their immutable versions, variants, approved texts and the
review decisions taken on them.

How a version becomes what an adviser posts
-------------------------------------------
* A ``ContentItem`` is the mutable envelope (title, audience, validity, guidance for advisers). Its words
  live in ``ContentVersion`` rows, which are never changed once written: an edit makes a new version
  (``advocacy.content.services.edit_item``), and only the workflow fields (``status``, ``submitted_at``,
  ``findings``) of a version move, through ``advocacy.content.workflow``.
* A version has a base wording (``text``) and optional ``ContentVariant`` rows (alternative wordings). Any
  wording may be a *template* holding the slots ``{first_name}`` and ``{branch_city}``; a template stands
  for one text per (first name, branch city) pair of the active advisers in the item's audience.
* The **publishable text** of a wording is, NFC-normalised (``advocacy.texts.compose``)::

      <wording, slots filled>\\n\\n<disclosure> <label>\\n<destination link>

  with the disclosure/label line and the link line left out when empty. The link in the publishable text
  is the version's *destination* URL (``link_url``). At publish time the publishing engine swaps that last
  line for the share's tracked redirect URL (``texts.with_tracked_link``). X counts every URL as 23
  weighted characters whatever its length, so the weighted length, the domain allowlist check and the
  fingerprint are all computed on the destination form, and the swap cannot change the length.
* ``ApprovedText`` holds, for an approved version, every publishable text and its SHA-256 fingerprint. An
  approval therefore covers exactly these texts and nothing else: a text whose fingerprint is not among
  its version's approved texts was not approved.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from advocacy.org.models import Branch, Region, Role

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
IMAGE_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def validate_image_file(upload) -> None:
    """An image is accepted by its first bytes as well as its name: a renamed script is refused.

    We keep a FileField rather than an ImageField so as not to add Pillow for a check that needs only the
    file signature; nothing in Relais resizes or re-encodes images.
    """
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(_("The image is larger than 5 MB. Upload a smaller file."), code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(12)
    upload.seek(position)
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not (is_webp or head.startswith(_IMAGE_SIGNATURES)):
        raise ValidationError(
            _("This file is not a JPEG, PNG, GIF or WebP image. Upload an image file."), code="not_image"
        )


class Category(models.TextChoices):
    MARKET_NEWS = "market_news", _("Market news")
    PRODUCT = "product", _("Product")
    RECRUITMENT = "recruitment", _("Job offer")
    CORPORATE = "corporate", _("Corporate")
    EVENT = "event", _("Event")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class Origin(models.TextChoices):
    LIBRARY = "library", _("Library")
    ADVISER_DRAFT = "adviser_draft", _("Adviser draft")


class ItemStatus(models.TextChoices):
    """The allowed moves between these are listed once, in ``advocacy.content.workflow.TRANSITIONS``."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    RECALLED = "recalled", _("Recalled")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a newer version")


class ContentItem(models.Model):
    Category = Category
    Language = Language
    Origin = Origin
    Status = ItemStatus

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="content_items",
        verbose_name=_("author"),
    )
    audience_whole_bank = models.BooleanField(_("whole bank"), default=True)
    audience_regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions"))
    audience_branches = models.ManyToManyField(
        Branch, blank=True, related_name="+", verbose_name=_("branches")
    )
    guidance_html = models.TextField(
        _("guidance for advisers"),
        blank=True,
        help_text=_("Sanitised on save: only simple formatting is kept."),
    )
    image = models.FileField(
        _("image"),
        upload_to="content/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS), validate_image_file],
    )
    image_alt = models.CharField(_("image description (alt text)"), max_length=400, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "ContentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="content_status_created"),
            models.Index(fields=["category"], name="content_category"),
            models.Index(fields=["expires_at"], name="content_expires"),
            models.Index(fields=["origin", "status", "-approved_at"], name="content_feed"),
            models.Index(fields=["author", "origin", "-updated_at"], name="content_author_items"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.image and not self.image_alt.strip():
            raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent (CDI)")
    FIXED_TERM = "fixed_term", _("Fixed-term (CDD)")
    INTERNSHIP = "internship", _("Internship")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship (work-study)")
    TEMPORARY = "temporary", _("Temporary (agency work)")


class JobOffer(models.Model):
    """What makes a recruitment item a job offer: the ATS's reference, where, which contract, until when.

    On the item (the mutable envelope), not on the version, like the item's title and validity: these facts
    are not in any publishable text, and changing one still goes through ``edit_item``, which writes a new
    version and sends the offer back to review. The apply URL is the version's ``link_url``: it *is* in the
    approved text, so compliance approves the exact link. The offer expires at the end of ``closes_on``
    (bank's time zone) through the item's own ``expires_at``, kept equal by ``services``; expiry is then the
    ordinary content expiry (``expire_due_items``).
    """

    ContractType = ContractType

    item = models.OneToOneField(
        ContentItem, on_delete=models.CASCADE, related_name="job_offer", verbose_name=_("content item")
    )
    job_reference = models.CharField(
        _("job reference"),
        max_length=64,
        unique=True,
        help_text=_("The offer's id in the applicant-tracking system (ATS)."),
    )
    place = models.CharField(_("place"), max_length=200, help_text=_("A branch or a city."))
    branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
        help_text=_("Set when the place is one of the bank's branches."),
    )
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    closes_on = models.DateField(_("closing date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")
        indexes = [models.Index(fields=["closes_on"], name="job_offer_closes_on")]
        constraints = [
            # An ATS does not tell REQ-101 from req-101: neither may two offers (the form checks it first,
            # with a message; this holds against two offers saved at the same moment). ``unique=True`` stays
            # for the exact lookups of the webhook and the CSV import.
            models.UniqueConstraint(
                Lower("job_reference"),
                name="job_offer_reference_ci",
                violation_error_message=_(
                    "Another job offer already has this reference: check it in the ATS."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_reference} {self.item.title}"

    @property
    def apply_url(self) -> str:
        """The approved apply link: the current version's destination link."""
        version = self.item.current_version
        return version.link_url if version is not None else ""


class AudienceRole(models.Model):
    """Restricts an item to staff holding one of these roles; no row means "advisers"."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="audience_roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "role"], name="unique_audience_role")]
        verbose_name = _("audience role")
        verbose_name_plural = _("audience roles")

    def __str__(self) -> str:
        return self.get_role_display()


class ImmutableError(Exception):
    """Raised when code tries to change words that an approval may bind to."""


# Only these columns of a version may change after it is written, and only through the workflow.
VERSION_WORKFLOW_FIELDS = frozenset({"status", "submitted_at", "findings"})


class VersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        frozen = set(kwargs) - VERSION_WORKFLOW_FIELDS
        if frozen:
            raise ImmutableError(f"Content version fields are immutable: {', '.join(sorted(frozen))}")
        return super().update(**kwargs)


class ContentVersion(models.Model):
    Status = VersionStatus

    item = models.ForeignKey(
        ContentItem, on_delete=models.PROTECT, related_name="versions", verbose_name=_("item")
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    disclosure = models.CharField(_("disclosure"), max_length=500, blank=True)
    label = models.CharField(_("label"), max_length=60, blank=True, help_text=_("For example #PUB."))
    link_url = models.URLField(_("link"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    findings = models.JSONField(
        _("automatic findings"),
        default=dict,
        blank=True,
        help_text=_(
            "Filled at submission: per publishable text (by fingerprint), the text and its findings."
        ),
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="unique_version_number")]
        indexes = [models.Index(fields=["status", "submitted_at"], name="version_status_submitted")]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or set(update_fields) - VERSION_WORKFLOW_FIELDS:
                raise ImmutableError("A content version's words never change: create a new version instead.")
        super().save(*args, **kwargs)


class _WriteOnce(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} rows are written once.")
        super().save(*args, **kwargs)


class ContentVariant(_WriteOnce):
    """An alternative wording of a version, or a template with ``{first_name}`` / ``{branch_city}`` slots."""

    version = models.ForeignKey(ContentVersion, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="unique_variant_position")
        ]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")

    def __str__(self) -> str:
        return f"{self.version} #{self.position}"


class ApprovedText(_WriteOnce):
    """One exact text that an approval covers (see the module docstring for its form)."""

    version = models.ForeignKey(ContentVersion, on_delete=models.PROTECT, related_name="approved_texts")
    variant = models.ForeignKey(
        ContentVariant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    slots = models.JSONField(_("slot values"), default=dict, blank=True)
    text = models.TextField(_("text"))
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "fingerprint"], name="unique_approved_text_fingerprint"
            )
        ]
        indexes = [models.Index(fields=["fingerprint"], name="approved_text_fingerprint")]
        verbose_name = _("approved text")
        verbose_name_plural = _("approved texts")

    def __str__(self) -> str:
        return f"{self.version} {self.fingerprint[:12]}"


class ReviewDecision(_WriteOnce):
    """Who decided what on which version, and why. Also the record of a recall."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REQUEST_CHANGES = "request_changes", _("Changes requested")
        REJECT = "reject", _("Rejected")
        RECALL = "recall", _("Recalled")

    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(ContentVersion, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    comment = models.TextField(_("comment"), blank=True)
    acknowledged_findings = models.JSONField(_("acknowledged findings"), default=list, blank=True)
    fingerprints = models.JSONField(_("fingerprints covered"), default=list, blank=True)
    final = models.BooleanField(
        _("final"),
        default=True,
        help_text=_("False for the first of two approvals required by the category."),
    )
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["version", "kind", "created_at"], name="decision_version_kind")]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


# Who may ever review a category: compliance officers every category, always; an HR reviewer job offers,
# when ``ComplianceSettings.reviewers_by_category`` says so. A setting naming anyone else is refused
# (``reviewer_setting_problems``) and ignored if forced in.
DEFAULT_REVIEWER_ROLES = frozenset({Role.COMPLIANCE.value})
REVIEWER_ROLES_ALLOWED = {
    Category.RECRUITMENT.value: frozenset({Role.COMPLIANCE.value, Role.HR_REVIEWER.value})
}
REVIEWER_ROLES = frozenset().union(DEFAULT_REVIEWER_ROLES, *REVIEWER_ROLES_ALLOWED.values())


def reviewer_setting_problems(value) -> list[str]:
    if not isinstance(value, dict):
        return [str(_("Give a mapping from category to a list of roles."))]
    problems = []
    for category, roles in value.items():
        if category not in Category.values:
            problems.append(str(_("Unknown category: %(category)s.") % {"category": category}))
            continue
        allowed = REVIEWER_ROLES_ALLOWED.get(category, DEFAULT_REVIEWER_ROLES)
        if not isinstance(roles, list) or not roles:
            problems.append(
                str(_("Name at least one reviewer role for %(category)s.") % {"category": category})
            )
            continue
        refused = sorted(set(map(str, roles)) - allowed)
        if refused:
            problems.append(
                str(
                    _("%(roles)s may not review %(category)s; allowed: %(allowed)s.")
                    % {
                        "roles": ", ".join(refused),
                        "category": category,
                        "allowed": ", ".join(sorted(allowed)),
                    }
                )
            )
    return problems


class ComplianceSettings(models.Model):
    """The bank's publishing constraints that are not lexicon rules. One row (pk=1), read by ``current()``.

    Here, not in ``compliance.review``, because content's own field validation (link domain, length) reads
    it and content never imports the review app; compliance officers still edit it (the review app's admin)
    and the automatic checks read it too."""

    allowed_domains = models.JSONField(
        _("allowed link domains"),
        default=list,
        blank=True,
        help_text=_("Links may only point to these domains (and their sub-domains)."),
    )
    max_weighted_length = models.PositiveIntegerField(
        _("maximum weighted length"), default=280, help_text=_("X counts 280 weighted characters.")
    )
    reviewers_by_category = models.JSONField(
        _("reviewers by category"),
        default=dict,
        blank=True,
        help_text=_(
            'Who reviews a category besides compliance officers, e.g. {"recruitment": ["hr_reviewer"]}. '
            "Compliance officers review every category."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("compliance settings")
        verbose_name_plural = _("compliance settings")

    def __str__(self) -> str:
        return str(_("Compliance settings"))

    def save(self, *args, **kwargs) -> None:  # forgets the cached row (``current``)
        super().save(*args, **kwargs)
        _forget_compliance_settings()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        _forget_compliance_settings()
        return deleted

    def clean(self) -> None:
        problems = reviewer_setting_problems(self.reviewers_by_category)
        if problems:
            raise ValidationError({"reviewers_by_category": problems})

    def reviewer_roles(self, category: str) -> frozenset[str]:
        """The roles whose holders may decide on content of ``category``: compliance officers always, and
        the roles set for it here among those allowed (``REVIEWER_ROLES_ALLOWED``)."""
        roles = frozenset(map(str, (self.reviewers_by_category or {}).get(category) or ()))
        return DEFAULT_REVIEWER_ROLES | (roles & REVIEWER_ROLES_ALLOWED.get(category, DEFAULT_REVIEWER_ROLES))

    @classmethod
    def current(cls) -> ComplianceSettings:
        """The one row; created with the model defaults if the data migration has not run (tests, new DB).

        Kept in Django's cache (Redis in production) for ``COMPLIANCE_SETTINGS_CACHE_SECONDS``: the library,
        the editors and the drafts' validation read it on every view and it changes a few times a year.
        Every save or deletion through the model (the admin, ``update_or_create``) forgets it at once and
        again on commit, so the next read anywhere sees the change; only a raw ``UPDATE`` would be seen up to
        a minute late. The send-time check does not read this cache (``compliance.review.checking`` reads
        the row's ``updated_at`` with the lexicon on every send)."""
        obj = cache.get(COMPLIANCE_SETTINGS_CACHE_KEY)
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
            cache.set(COMPLIANCE_SETTINGS_CACHE_KEY, obj, COMPLIANCE_SETTINGS_CACHE_SECONDS)
        return obj


COMPLIANCE_SETTINGS_CACHE_KEY = "content:compliance-settings:v1"
COMPLIANCE_SETTINGS_CACHE_SECONDS = 60


def _forget_compliance_settings() -> None:
    """Now (this transaction's later reads) and on commit (a read elsewhere between the two would have
    cached the old row again)."""
    cache.delete(COMPLIANCE_SETTINGS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(COMPLIANCE_SETTINGS_CACHE_KEY))


class SubmissionDigest(models.Model):
    """One row (pk=1): submissions up to ``sent_up_to`` have been listed in a compliance digest."""

    sent_up_to = models.DateTimeField()

    class Meta:
        verbose_name = _("submission digest")
        verbose_name_plural = _("submission digests")

    def __str__(self) -> str:
        return f"digest up to {self.sent_up_to:%Y-%m-%d %H:%M}"
