"""Writing the ledger: one ``ApiCall`` per call to X, priced from ``settings.X_PRICES`` when it is made."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from advocacy.networks.usage.alerts import check_budget_alerts
from advocacy.networks.usage.models import ApiCall


def unit_price(kind: str) -> Decimal:
    return Decimal(str(settings.X_PRICES.get(kind, "0")))


def record_call(
    *,
    endpoint: str,
    purpose: str,
    price_kind: str,
    resources: int,
    account=None,
    status: str = ApiCall.Status.OK,
    network: str = "x",
) -> ApiCall:
    """Append one call to the ledger. Called after the call, outside any transaction of the caller's: a
    ledger row never holds a lock while X is being asked."""
    price = unit_price(price_kind)
    call = ApiCall.objects.create(
        at=timezone.now(),
        network=network,
        endpoint=endpoint,
        account=account if getattr(account, "pk", None) else None,
        purpose=purpose,
        price_kind=price_kind,
        resources=resources,
        unit_price=price,
        cost=price * resources,
        status=status,
    )
    if call.cost:
        check_budget_alerts()
    return call
