"""``manage.py ensure_partitions [--since YYYY-MM]``: create the monthly partitions of the event tables from
``--since`` (default: this month) to ``PARTITION_MONTHS_AHEAD`` months ahead. Beat does it daily; a backfill
of older events (an import, the bench's seed) runs it first with ``--since``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from advocacy.rollups import partitions


class Command(BaseCommand):
    help = "Create the monthly partitions of the event tables (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first month, YYYY-MM (default: this month)")

    def handle(self, *args, since=None, **options):
        first = None
        if since:
            try:
                first = dt.date.fromisoformat(f"{since}-01")
            except ValueError as exc:
                raise CommandError(f"--since {since!r}: give a month as YYYY-MM") from exc
        created = partitions.ensure(
            today=timezone.now().date(), months_ahead=settings.PARTITION_MONTHS_AHEAD, since=first
        )
        self.stdout.write(
            f"{len(created)} partitions created" + (": " + ", ".join(created) if created else "")
        )
