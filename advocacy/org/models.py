"""The bank's organisation: a bank, its regions, their branches, and the staff who work there.

Roles are rows (``StaffRole``), not a JSON list, so that "every compliance officer" or "the advisers of
region X" are plain indexed queries on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.org.timezones import validate_time_zone


class Role(models.TextChoices):
    ADVISER = "adviser", _("Adviser")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    COMPLIANCE = "compliance", _("Compliance officer")
    MARKETING = "marketing", _("Marketing")
    HR = "hr", _("HR")
    # Reviews job offers when compliance allows it for the recruitment category
    # (``ComplianceSettings.reviewers_by_category``); privileged by default, like compliance.
    HR_REVIEWER = "hr_reviewer", _("HR reviewer")
    ADMIN = "admin", _("Administrator")


class Bank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("bank")
        verbose_name_plural = _("banks")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="regions", verbose_name=_("bank"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="branches", verbose_name=_("region")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class StaffProfile(models.Model):
    """What Relais knows about a member of staff beyond the sign-in account.

    The active flag is the user's own ``is_active``: Django and allauth already refuse inactive users at
    sign-in and drop their sessions on the next request, so a second flag could only disagree with it.
    """

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff", verbose_name=_("user")
    )
    employee_id = models.CharField(_("employee id"), max_length=50, unique=True)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        verbose_name=_("branch"),
        help_text=_("Empty for head-office staff (compliance, marketing, HR)."),
    )
    language = models.CharField(_("preferred language"), max_length=5, choices=Language.choices, default="fr")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text=_("An IANA name such as Europe/Paris; empty for the bank's time zone."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.email} ({self.employee_id})"


class StaffRole(models.Model):
    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "role"], name="unique_role_per_profile")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.get_role_display()


class ManagedRegion(models.Model):
    """A regional manager's scope: the regions whose branches they cover."""

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="managed_regions")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "region"], name="unique_managed_region")]

    def __str__(self) -> str:
        return f"{self.profile} → {self.region}"


class RoleGrantRequest(models.Model):
    """An administrator's request to give someone a privileged role (``PRIVILEGED_ROLES``).

    It has no effect until a second administrator (neither the requester nor the person concerned)
    approves it: four eyes on privilege. Requests are kept once decided; the archive holds the same facts.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second administrator")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="grant_requests", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    via = models.CharField(_("asked from"), max_length=20)  # "portal" or "roster"
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "role"],
                condition=models.Q(status="pending"),
                name="one_pending_grant_per_role",
            )
        ]
        verbose_name = _("privileged role request")
        verbose_name_plural = _("privileged role requests")

    def __str__(self) -> str:
        return f"{self.get_role_display()} → {self.profile}"


class EmailChangeRequest(models.Model):
    """A change of someone's sign-in address, waiting for an administrator's confirmation.

    The address is what a password reset is sent to: changed at once, it would let whoever typed the new
    address take the account over. The old address is told when the change is asked for; the account keeps
    it until an administrator other than the requester confirms.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an administrator")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        SUPERSEDED = "superseded", _("Replaced by a later request")

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="email_changes", verbose_name=_("person")
    )
    old_email = models.EmailField(_("current address"))
    new_email = models.EmailField(_("new address"))
    via = models.CharField(_("asked from"), max_length=20)  # "portal", "roster" or "command line"
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"], condition=models.Q(status="pending"), name="one_pending_email_change"
            )
        ]
        verbose_name = _("e-mail address change")
        verbose_name_plural = _("e-mail address changes")

    def __str__(self) -> str:
        return f"{self.old_email} → {self.new_email}"
