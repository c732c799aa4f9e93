"""Import HR's staff roster from the command line: the same code as the upload page, without the queue."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advocacy.accounts.roster import RosterFileError
from advocacy.accounts.roster_import import import_staff_roster


class Command(BaseCommand):
    help = (
        "Create or update staff from a CSV roster (employee_id, email, first_name, last_name, branch_code, "
        "roles, language; optionally time_zone). Valid rows are imported; the others are reported by line "
        "and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate active staff whose employee id is not in the file.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; write nothing.")
        parser.add_argument(
            "--invite", action="store_true", help="E-mail an invitation to each new member of staff."
        )

    def handle(self, *args, file: Path, deactivate_missing: bool, dry_run: bool, invite: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None

        def progress(outcome):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {outcome.processed_rows}/{outcome.total_rows} rows")

        try:
            outcome = import_staff_roster(
                data=data,
                filename=file.name,
                deactivate_missing=deactivate_missing,
                invite=invite and not dry_run,
                dry_run=dry_run,
                progress=progress,
            )
        except RosterFileError as exc:
            raise CommandError(exc.message) from None

        # The summary first, on its own line, then one line per error under a heading: written to one
        # stream, in order, so that a log or a terminal never runs the summary into the first error (they
        # went to stdout and stderr, which a capture glued together when it dropped the last newline).
        prefix = "Dry run, nothing written. " if dry_run else ""
        summary = (
            f"{prefix}{outcome.total_rows} rows: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged, {outcome.deactivated} deactivated, {outcome.invited} invited, "
            f"{outcome.rejected} with errors."
        )
        self.stdout.write(self.style.WARNING(summary) if outcome.rejected else self.style.SUCCESS(summary))
        if outcome.errors:
            self.stdout.write("")
            self.stdout.write(f"Errors ({len(outcome.errors)}):")
        for error in outcome.errors:
            where = f"line {error.line}" if error.line is not None else "file"
            column = f", {error.column}" if error.column else ""
            self.stdout.write(f"  {where}{column}: {error.message}")
        if outcome.total_rows and outcome.rejected >= outcome.total_rows:
            # Every row refused: a script that runs the import must not read it as a success.
            raise CommandError("Nothing imported: every row has an error.")
