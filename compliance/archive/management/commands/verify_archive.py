"""Verify the archive's hash chain (or an export, offline); exit 0 when intact, 1 otherwise."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Recompute the archive's hash chain and check checkpoints, or verify an export directory offline."

    def add_arguments(self, parser):
        parser.add_argument(
            "--export", metavar="DIR", help="verify this export directory or zip; no database used"
        )

    def handle(self, *args, **options):
        if options["export"]:
            from compliance.archive.verify_export import verify_export

            result = verify_export(options["export"])
            what = "export records"
        else:
            from compliance.archive.verification_runs import run_verification

            _, result = run_verification(trigger="command")
            what = "records"
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        if result.ok:
            extra = ""
            if result.purged_ranges_crossed:
                extra += f", {result.purged_ranges_crossed} purged ranges crossed"
            if result.chain_breaks_by_filter:
                extra += f", {result.chain_breaks_by_filter} breaks where the filter skipped records"
            self.stdout.write(
                self.style.SUCCESS(
                    f"OK: {result.checked} {what} checked, chain intact (last seq {result.last_seq}, "
                    f"{result.checkpoints_checked} checkpoints matched{extra}) in {result.seconds:.2f}s"
                )
            )
            return
        problem = result.problem
        self.stderr.write(f"{result.checked} {what} checked before the first problem.")
        if problem.seq is not None:
            self.stderr.write(f"FIRST BAD SEQUENCE NUMBER: {problem.seq}")
        raise CommandError(f"archive verification FAILED: {problem}", returncode=1)
