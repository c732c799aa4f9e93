"""What the app's X plan allows: marked unavailable on X's refusal, asked by callers before they call."""

from __future__ import annotations

from django.utils import timezone

from advocacy.networks.usage.models import Capability


def available(name: str, *, network: str = "x") -> bool:
    """False once X has refused ``name`` for the plan; unknown capabilities are assumed available."""
    return not Capability.objects.filter(network=network, name=name, available=False).exists()


def mark_unavailable(name: str, *, detail: str, network: str = "x") -> None:
    Capability.objects.update_or_create(
        network=network,
        name=name,
        defaults={"available": False, "detail": detail[:500], "checked_at": timezone.now()},
    )


def mark_available(name: str, *, network: str = "x") -> None:
    """An administrator raised the plan: callers may try ``name`` again."""
    Capability.objects.update_or_create(
        network=network, name=name, defaults={"available": True, "detail": "", "checked_at": timezone.now()}
    )


def unavailable(*, network: str = "x"):
    return Capability.objects.filter(network=network, available=False).order_by("name")
