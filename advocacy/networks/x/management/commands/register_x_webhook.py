"""Register the deployment's webhook with X (once per deployment, like a DNS entry) and print its id, the
value of ``X_WEBHOOK_ID``.

X sends a CRC challenge to the URL before it accepts it, so the portal must already answer there with
``X_CONSUMER_SECRET`` set. Running it again with the same URL finds the webhook X already has.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from advocacy.networks.interface import NetworkError
from advocacy.networks.x.network import X


class Command(BaseCommand):
    help = "Register URL as the app's X webhook (or find it) and print its id: the value of X_WEBHOOK_ID."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the portal's public webhook URL, ending in /x/webhook")

    def handle(self, *args, url: str, **options):
        try:
            webhook_id, created = X.register_webhook(url)
        except NetworkError as exc:
            raise CommandError(f"X refused the webhook {url}: {getattr(exc, 'message', exc)}") from None
        self.stderr.write(f"{'Registered' if created else 'Already registered'}: {url} (set X_WEBHOOK_ID)")
        self.stdout.write(webhook_id)
