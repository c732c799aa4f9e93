from django.core.management.base import BaseCommand, CommandError

from advocacy.recruitment.csv_import import import_applications
from advocacy.recruitment.models import ATSProfile


class Command(BaseCommand):
    help = "Import applications from an ATS's CSV export (safe to run twice; a re-import moves stages)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--ats", help="the ATS profile's slug (needed when there is more than one)")

    def handle(self, *args, file, ats=None, **options):
        profiles = ATSProfile.objects.all()
        if ats:
            profiles = profiles.filter(slug=ats)
        if len(profiles[:2]) != 1:
            if ats:
                raise CommandError(f"No ATS profile {ats}.")
            slugs = ", ".join(ATSProfile.objects.values_list("slug", flat=True))
            raise CommandError(f"Name the ATS profile with --ats (slugs: {slugs}).")
        with open(file, "rb") as handle:
            result = import_applications(profile=profiles[0], data=handle.read())
        for error in result.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            f"{result.created} new, {result.moved} moved, {result.unchanged} unchanged, "
            f"{len({e.line for e in result.errors})} rows refused"
        )
        if result.errors:
            raise SystemExit(1)
