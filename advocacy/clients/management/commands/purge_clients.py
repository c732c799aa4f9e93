from django.core.management.base import BaseCommand

from advocacy.clients import retention


class Command(BaseCommand):
    help = "Erase clients with no interaction for CLIENT_RETENTION_YEARS (through erase_client)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count the clients due.")

    def handle(self, *args, dry_run=False, **options):
        report = retention.purge(dry_run=dry_run)
        done = report["due"] if dry_run else report["erased"]
        verb = "would be erased" if dry_run else "erased"
        self.stdout.write(f"{report['due']} client(s) past retention; {done} {verb}.")
