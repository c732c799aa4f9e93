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
