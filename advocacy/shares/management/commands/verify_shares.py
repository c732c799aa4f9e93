"""Check that every share's archived events replay to its status and every post has exactly one
``share.published`` record (``advocacy.shares.integrity``). Exits non-zero on any disagreement."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from advocacy.shares.integrity import verify_shares


class Command(BaseCommand):
    help = "Check shares against the archive: events replay to each status; one share.published per post."

    def handle(self, *args, **options):
        result = verify_shares()
        self.stdout.write(
            f"{result.shares} shares, {result.events} archived share events, "
            f"{result.published_records} share.published records."
        )
        if not result.ok:
            for line in result.problems:
                self.stderr.write(line)
            raise CommandError(f"{len(result.problems)} disagreement(s) between the shares and the archive.")
        self.stdout.write(self.style.SUCCESS("Shares and archive agree."))
