"""Seed the demo bank: organisation and staff, then each feature's demo data."""

from django.core.management.base import BaseCommand

from advocacy.audience.demo import seed_follower_graph
from advocacy.campaigns.demo import seed_campaign
from advocacy.clients.demo import seed_clients
from advocacy.content.demo import seed_content
from advocacy.networks.x.demo import seed_publishing
from advocacy.org.demo import DEMO_PASSWORD, DOMAIN, STAFF, seed_organisation
from advocacy.recognition.demo import seed_recognition
from advocacy.recruitment.demo import seed_recruitment
from advocacy.rollups.services import rollup_recent
from advocacy.shares.demo import seed_shares


class Command(BaseCommand):
    help = "Create or refresh the demo bank (Banque Exemple) with staff in every role. Idempotent."

    def handle(self, *args, **options):
        secrets = seed_organisation()
        # Each feature seeds its own demo data below, in dependency order.
        seed_content()  # content library: approved items, variants, a template, an expired item, a draft
        seed_publishing()  # the X app; connects the first adviser to the sandbox when it answers
        seed_clients()  # the first adviser's client book: consented (her handle resolved), pending, withdrawn
        seed_shares()  # the first adviser's one published post, which the scripted sandbox client answers
        # Three employees in three places share the Lyon job offer, their links are clicked through to the
        # sandbox's apply page, two applications come back by the ATS webhook and one by CSV.
        seed_recruitment()
        # Marketing's campaign on the four-variant item: four opted-in advisers, one wording each, published
        # to the sandbox, their links clicked unequally (which wording works, on /results/campaigns/).
        seed_campaign()
        # Paris Opéra's three advisers take part in the branch's monthly recognition (ranked once the post
        # metrics of their demo posts are read, a few minutes after the start).
        seed_recognition()
        # Last: the sandbox follower graph (with overlaps) of whoever shared a job offer above, read by the
        # inbound capture and sketched, for HR's deduplicated audience.
        seed_follower_graph()
        # The daily figures of yesterday and today so far, as beat rolls them up every ten minutes (its
        # first run comes ten minutes after it starts): the dashboards and the status page find them now.
        rollup_recent()
        self.stdout.write(
            self.style.SUCCESS(f"Demo bank ready: Banque Exemple, 2 regions, 4 branches, {len(STAFF)} staff.")
        )
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for local, *_rest in STAFF[:9]:
            email = f"{local}@{DOMAIN}"
            line = f"  {email}"
            if email in secrets:
                line += f"   TOTP secret (base32): {secrets[email]}"
            self.stdout.write(line)
