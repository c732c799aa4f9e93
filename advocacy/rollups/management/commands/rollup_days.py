"""``manage.py rollup_days FIRST [LAST]``: recompute the daily figures of each UTC day from FIRST to LAST
(YYYY-MM-DD; default LAST = FIRST), e.g. after a backfill; prints each day's rows and seconds."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from advocacy.rollups import services


class Command(BaseCommand):
    help = "Recompute the daily figures of the given UTC days from the raw events."

    def add_arguments(self, parser):
        parser.add_argument("first")
        parser.add_argument("last", nargs="?")

    def handle(self, *args, first, last=None, **options):
        try:
            day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last or first)
        except ValueError as exc:
            raise CommandError("give days as YYYY-MM-DD") from exc
        if end < day:
            raise CommandError("the last day is before the first")
        while day <= end:
            run = services.rollup_day(day)
            self.stdout.write(f"{day}: {run.rows} rows in {run.seconds:.2f} s")
            day += dt.timedelta(days=1)
