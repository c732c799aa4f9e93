"""Reading a resource at most once per UTC day (X bills it once a day; Relais does not pay for it twice)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.networks.usage.models import DailyRead


def first_read_today(kind: str, resource_id: str) -> bool:
    """True the first time ``(kind, resource_id)`` is asked for this UTC day, False afterwards. Safe under
    concurrency: the unique constraint lets one caller win."""
    day = timezone.now().astimezone(dt.UTC).date()
    try:
        with transaction.atomic():
            DailyRead.objects.create(kind=kind, resource_id=str(resource_id), day=day)
    except IntegrityError:
        return False
    return True


def forget_read_today(kind: str, resource_ids) -> None:
    """Give back today's claims on ``resource_ids`` when the read did not happen (X failed or refused, so
    billed nothing): a later round may read them today."""
    day = timezone.now().astimezone(dt.UTC).date()
    ids = [str(r) for r in resource_ids]
    if ids:
        DailyRead.objects.filter(kind=kind, resource_id__in=ids, day=day).delete()
