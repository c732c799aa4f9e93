from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from advocacy.networks.x.models import XAccount
from advocacy.relationships.polling import poll_round


class Command(BaseCommand):
    help = _(
        "Run one inbound polling round now (mentions since the last one read, followers when due, likes and"
        " reposts of recent posts)."
    )

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
        self.stdout.write(
            _(
                "%(followers)d follower(s) read: %(follows)d follow(s), %(unfollows)d unfollow(s);"
                " %(engaged)d like(s) and repost(s) read, %(engaged_new)d new."
            )
            % {
                "followers": report.followers_read,
                "follows": report.follows,
                "unfollows": report.unfollows,
                "engaged": report.engagement_read,
                "engaged_new": report.engagement_stored,
            }
        )
        for capability in report.unavailable:
            self.stdout.write(_("Not available on the X plan: %(what)s.") % {"what": capability})
