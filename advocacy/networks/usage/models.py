"""The X usage ledger (one row per call to X, with what it cost), the reads already billed today, the monthly
budget and the capabilities the app's plan has or lacks.

X is pay-per-use: each resource read or written is billed (x-api/getting-started/pricing.mdx), so the ledger
is the bank's answer to "what did inbound capture cost this month, and on what".
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What each capability name means to a reader (the names come from advocacy/networks/x/client.py).
CAPABILITY_LABELS = {
    "followers": _("Reading followers"),
    "mentions": _("Reading mentions"),
    "post_metrics": _("Reading post counts"),
    "user_lookup": _("Looking up handles"),
    "liking_users": _("Reading who liked a post"),
    "reposted_by": _("Reading who reposted a post"),
    "activity_subscriptions": _("Push delivery of activity (subscriptions)"),
    "publish": _("Publishing"),
    "reply": _("Replying"),
}


class ApiCall(models.Model):
    """One call to X, written after the call by ``advocacy.networks.x.network.X`` (publishing included)."""

    class Status(models.TextChoices):
        OK = "ok", _("answered")
        FAILED = "failed", _("refused or failed")
        UNAVAILABLE = "unavailable", _("not in the plan")

    at = models.DateTimeField(db_index=True)
    network = models.CharField(max_length=20, default="x")
    endpoint = models.CharField(max_length=80)  # "GET /2/users/:id/mentions"
    account = models.ForeignKey(
        "xnetwork.XAccount", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=40)  # publish, delete, recall_lookup, mentions, followers, ...
    price_kind = models.CharField(max_length=40, blank=True)  # a key of settings.X_PRICES
    resources = models.PositiveIntegerField(default=0)
    unit_price = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"))
    cost = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OK)

    class Meta:
        indexes = [models.Index(fields=["network", "at"], name="usage_apicall_net_at")]

    def __str__(self) -> str:
        return f"{self.endpoint} x{self.resources} = {self.cost}"


class DailyRead(models.Model):
    """A resource already read (and billed) this UTC day: X bills the same resource once a day, and Relais
    does not read it twice."""

    kind = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "resource_id", "day"], name="usage_dailyread_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.resource_id} {self.day}"


class UsageBudget(models.Model):
    """The bank's monthly budget for X (one row). ``alerted_80`` / ``alerted_100`` hold the month
    (``YYYY-MM``) whose alert was sent, so that each goes out once a month."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    monthly_amount = models.DecimalField(max_digits=12, decimal_places=2)
    alerted_80 = models.CharField(max_length=7, blank=True)
    alerted_100 = models.CharField(max_length=7, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.monthly_amount} a month"

    @classmethod
    def current(cls) -> UsageBudget:
        budget, _created = cls.objects.get_or_create(
            singleton=True, defaults={"monthly_amount": settings.X_MONTHLY_BUDGET}
        )
        return budget


class Capability(models.Model):
    """Whether the app's plan lets Relais use something on a network (X answers 403 ``client-not-enrolled``
    when it does not). Marked unavailable by the X class on the first refusal; never retried in a loop."""

    network = models.CharField(max_length=20, default="x")
    name = models.CharField(max_length=40)
    available = models.BooleanField(default=True)
    detail = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "name"], name="usage_capability_once")]

    def __str__(self) -> str:
        return f"{self.network}:{self.name} {'available' if self.available else 'unavailable'}"

    @property
    def label(self) -> str:
        return str(CAPABILITY_LABELS.get(self.name, self.name))
