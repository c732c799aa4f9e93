"""Reconcile X Activity API subscriptions with the connected advisers now (each polling round does it too):
connected without one → subscribe; no longer connected → remove; beyond the plan's limit → polled."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from advocacy.relationships.subscriptions import sync_subscriptions


class Command(BaseCommand):
    help = _("Subscribe connected advisers to X's push delivery now (and remove the others' subscriptions).")

    def handle(self, *args, **options):
        report = sync_subscriptions()
        self.stdout.write(
            _("%(subscribed)d subscribed, %(removed)d removed, %(over)d polled (beyond the plan's limit).")
            % {"subscribed": report.subscribed, "removed": report.removed, "over": report.over_limit}
        )
