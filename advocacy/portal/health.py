"""Reachability of what Relais depends on: ``health_report`` for /health/ (public JSON for load balancers),
``status_report`` for the administrators' status page, which adds X and the archive's last verification
and says each in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@dataclass(frozen=True)
class StatusLine:
    """One line of the administrators' status page: what, whether it is fine, and what that means."""

    name: str | Promise
    ok: bool
    summary: str | Promise
    detail: str = ""


def _archive_line() -> StatusLine:
    from compliance.archive.selectors import latest_verification

    name = _("Archive verification")
    latest = latest_verification()
    if latest is None:
        return StatusLine(name, False, _("The archive has never been verified: start a verification."))
    when = formats.date_format(timezone.localtime(latest.finished_at), "DATETIME_FORMAT")
    if not latest.ok:
        return StatusLine(
            name,
            False,
            _("The last verification (%(when)s) found a broken chain at sequence number %(seq)s.")
            % {"when": when, "seq": latest.first_bad_seq or "—"},
            latest.detail,
        )
    if latest.finished_at < timezone.now() - timedelta(days=2):
        return StatusLine(
            name,
            False,
            _("The last verification is old (%(when)s): is the nightly run scheduled?") % {"when": when},
        )
    return StatusLine(
        name, True, _("The chain was intact at the last verification (%(when)s).") % {"when": when}
    )


def _inbound_line() -> StatusLine:
    from advocacy.relationships.inbox import backlog

    name = _("Inbound capture")
    waiting, set_aside, oldest = backlog()
    if set_aside:
        return StatusLine(
            name,
            False,
            ngettext(
                "%(count)d delivery from X could not be ingested and is set aside (see the logs).",
                "%(count)d deliveries from X could not be ingested and are set aside (see the logs).",
                set_aside,
            )
            % {"count": set_aside},
        )
    if oldest is not None and oldest < timezone.now() - timedelta(minutes=5):
        return StatusLine(
            name,
            False,
            ngettext(
                "%(count)d delivery from X has waited over 5 minutes: are the polling workers running?",
                "%(count)d deliveries from X have waited over 5 minutes: are the polling workers running?",
                waiting,
            )
            % {"count": waiting},
        )
    return StatusLine(name, True, _("Deliveries from X are ingested as they arrive."))


# Beat rolls today up every ten minutes (settings): three runs missed is a stopped beat or worker.
ROLLUP_LATE = timedelta(minutes=30)


def _figures_line() -> StatusLine:
    """Whether beat keeps the dashboards' daily roll-up current: the dashboards read the roll-up, then the
    events after its latest run (``advocacy.rollups.selectors``), so without it they stay right but read
    ever more raw events, ever more slowly."""
    from advocacy.rollups.selectors import latest_run

    name = _("Dashboard figures")
    latest = latest_run()
    if latest is None:
        return StatusLine(
            name, False, _("The daily figures have never been rolled up: is the scheduler (beat) running?")
        )
    when = formats.date_format(timezone.localtime(latest.finished_at), "DATETIME_FORMAT")
    if latest.finished_at < timezone.now() - ROLLUP_LATE:
        return StatusLine(
            name,
            False,
            _(
                "The daily figures were last rolled up at %(when)s: is the scheduler (beat) running? "
                "The dashboards stay right but get slower as they read more raw events."
            )
            % {"when": when},
        )
    summary = _("The daily figures are rolled up every ten minutes (last at %(when)s).") % {"when": when}
    return StatusLine(name, True, summary)


def status_report() -> list[StatusLine]:
    """Every check, with a sentence an administrator can act on."""
    from advocacy.networks.x.http import x_api_answers

    database_ok, database = check_database()
    broker_ok, broker = check_broker()
    workers_ok, workers = check_workers()
    if workers.endswith(" alive"):  # the probe's JSON says "N alive"; this page says it in the reader's words
        alive = int(workers.split()[0])
        workers = ngettext("%(count)d seen recently", "%(count)d seen recently", alive) % {"count": alive}
    x_ok, x_detail = x_api_answers()
    return [
        StatusLine(
            _("Database"),
            database_ok,
            _("The database answers.") if database_ok else _("The database does not answer: nothing works."),
            database,
        ),
        StatusLine(
            _("Task queue (broker)"),
            broker_ok,
            _("The task queue accepts work.")
            if broker_ok
            else _("The task queue does not answer: posts, e-mails and exports wait."),
            broker,
        ),
        StatusLine(
            _("Workers"),
            workers_ok,
            _("Background workers are running.")
            if workers_ok
            else _("No worker has been seen recently: scheduled posts and exports are not being processed."),
            workers,
        ),
        StatusLine(
            _("X API"),
            x_ok,
            _("X answers at %(url)s.") % {"url": settings.X_API_BASE_URL}
            if x_ok
            else _("X does not answer at %(url)s: posts cannot be sent.") % {"url": settings.X_API_BASE_URL},
            x_detail,
        ),
        _inbound_line(),
        _figures_line(),
        _archive_line(),
    ]
