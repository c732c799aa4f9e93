"""Demo only: the scripted sandbox client follows and replies to the connected demo advisers (once)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from advocacy.networks.x.demo import demo_client_activity


class Command(BaseCommand):
    help = "Demo: a scripted X sandbox client follows and replies to each connected demo adviser (once)."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo client wrote to {demo_client_activity()} adviser(s).")
