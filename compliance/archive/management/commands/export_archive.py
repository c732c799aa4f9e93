from datetime import date

from django.core.management.base import BaseCommand, CommandError

from compliance.archive.export import write_export


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Export archive records for an examiner: records.jsonl, records.csv and manifest.json into --out."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--adviser", metavar="EMAIL", default="", help="only records by or about this person"
        )
        parser.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")

    def handle(self, *args, **options):
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_from > date_to:
            raise CommandError("--from is after --to")
        try:
            manifest = write_export(
                options["out"],
                date_from=date_from,
                date_to=date_to,
                adviser_email=options["adviser"],
                actor="export_archive command",
            )
        except FileExistsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Exported {manifest['count']} records (seq {manifest['first_seq']}-{manifest['last_seq']}) "
            f"to {options['out']}; manifest SHA-256 {manifest['manifest_sha256']}"
        )
