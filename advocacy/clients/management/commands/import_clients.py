from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advocacy.clients import crm_file, crm_import


class Command(BaseCommand):
    help = "Import clients from a CRM export (CSV); re-importing updates by client_ref."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--adviser-column", choices=crm_file.ADVISER_COLUMNS, default="adviser_email")
        parser.add_argument("--delimiter", choices=[";", ","], default=None)

    def handle(self, *args, file, adviser_column, delimiter, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}")
        rows, errors = crm_file.parse(path.read_bytes(), adviser_column=adviser_column, delimiter=delimiter)
        result = crm_import.apply_rows(rows, adviser_column=adviser_column)
        for error in sorted(errors + result.errors, key=lambda e: e.line):
            message = crm_file.message_for(error.code, error.params)
            self.stderr.write(f"line {error.line}, {error.column}: {message}")
        failed = len(errors) + len(result.errors)
        counts = f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        self.stdout.write(f"{counts}, {failed} error(s).")
