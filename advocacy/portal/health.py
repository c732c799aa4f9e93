"""Reachability of what Relais depends on, for /health/ and for operators."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from advocacy.portal.models import WorkerHeartbeat


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str]:
    from advocacy.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.transport_cls if isinstance(
                conn.transport_cls, str
            ) else conn.transport.driver_name
    except Exception as exc:
        return False, type(exc).__name__


def check_workers() -> tuple[bool, str]:
    try:
        since = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
        alive = WorkerHeartbeat.objects.filter(seen_at__gte=since).count()
    except Exception as exc:
        return False, type(exc).__name__
    return alive > 0, f"{alive} alive"


def health_report() -> dict[str, dict[str, object]]:
    report = {}
    for name, check in (("database", check_database), ("broker", check_broker), ("workers", check_workers)):
        ok, detail = check()
        report[name] = {"ok": ok, "detail": detail}
    return report
