from django.core.management.base import BaseCommand, CommandError

from compliance.archive.retention import purge_expired_records


class Command(BaseCommand):
    help = (
        "Delete archive records whose retention period (ARCHIVE_RETENTION_YEARS) is over and that no legal "
        "hold covers. Irreversible; both flags are required. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--before-retention",
            action="store_true",
            help="only records older than their event class's retention period",
        )
        parser.add_argument("--i-understand-this-deletes-records", action="store_true", dest="confirmed")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
        )

    def handle(self, *args, **options):
        if not options["before_retention"] or not (options["confirmed"] or options["dry_run"]):
            raise CommandError(
                "Refusing to purge: pass --before-retention and --i-understand-this-deletes-records "
                "(or --dry-run)."
            )
        report = purge_expired_records(dry_run=options["dry_run"], actor="purge_archive command")
        verb = "Would purge" if options["dry_run"] else "Purged"
        self.stdout.write(
            f"{verb} {report.purged} records in {len(report.ranges)} ranges; "
            f"{report.held} expired records kept under legal hold."
        )
