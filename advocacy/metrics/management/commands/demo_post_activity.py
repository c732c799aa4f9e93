"""Demo only: ``manage.py demo_post_activity [--every SECONDS] [--once]`` raises the demo posts' impressions
and likes on the X sandbox every minute (``scripts/demo.sh`` runs it), so that the beat's real post-metrics
round has moving counts to read. ``--once`` is the demo's "raise impressions" control. Refused unless
``X_API_BASE_URL`` is a sandbox on loopback (``advocacy.metrics.demo``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from advocacy.metrics.demo import NotASandbox, raise_demo_metrics


class Command(BaseCommand):
    help = "Demo: raise the demo posts' impressions and likes on the X sandbox, every minute or once."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=60, help="seconds between rounds (default 60)")
        parser.add_argument("--once", action="store_true", help="one round, then stop")

    def handle(self, *args, every=60, once=False, **options):
        if every < 1:
            raise CommandError("--every must be at least 1 second")
        while True:
            try:
                raised = raise_demo_metrics()
            except NotASandbox as exc:
                raise CommandError(f"demo activity refused: {exc}") from None
            self.stdout.write(
                f"Demo activity: {raised.posts} post(s) gained {raised.impressions} impressions "
                f"and {raised.likes} likes on the X sandbox."
            )
            if once:
                return
            time.sleep(every)
