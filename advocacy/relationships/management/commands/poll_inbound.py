from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from advocacy.networks.x.models import XAccount
from advocacy.relationships.polling import poll_round


class Command(BaseCommand):
    help = _("Run one inbound polling round now (mentions since the last one read).")

    def add_arguments(self, parser):
        parser.add_argument("--adviser", metavar="EMAIL", help=_("Poll only this adviser's account."))

    def handle(self, *args, **options):
        accounts = None
        if options["adviser"]:
            accounts = list(
                XAccount.objects.filter(
                    user__email__iexact=options["adviser"], status=XAccount.Status.CONNECTED
                ).select_related("user")
            )
            if not accounts:
                raise CommandError(_("No connected X account for %(email)s.") % {"email": options["adviser"]})
        report = poll_round(accounts=accounts)
        if report.skipped:
            self.stdout.write(_("Polling skipped: %(why)s.") % {"why": report.skipped})
        self.stdout.write(
            _("%(accounts)d account(s) polled, %(read)d post(s) read, %(stored)d new, %(gaps)d gap(s).")
            % {"accounts": report.accounts, "read": report.read, "stored": report.stored, "gaps": report.gaps}
        )
