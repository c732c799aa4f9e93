from celery import shared_task
from django.utils import timezone

from advocacy.portal.models import WorkerHeartbeat


@shared_task(bind=True, ignore_result=True)
def record_worker_heartbeat(self) -> None:
    """One UPDATE in autocommit (an INSERT the first time), not ``update_or_create``'s read-then-write
    transaction: on SQLite (the demo) that shape failed at once with "database is locked" whenever the web
    process or another task held the write lock, busy timeout or not. A single statement waits for the lock
    like any other write (settings: the SQLite ``timeout``)."""
    hostname = self.request.hostname or "unknown"
    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(hostname=hostname).update(seen_at=now):
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(hostname=hostname, seen_at=now)],
            update_conflicts=True,
            unique_fields=["hostname"],
            update_fields=["seen_at"],
        )
