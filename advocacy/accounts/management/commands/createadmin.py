"""Bootstrap the bank's first administrator (Relais's replacement for ``createsuperuser``).

Privileged roles take effect when a second administrator approves them; the first administrator has
nobody to approve them, so this command grants the role directly, archived as a bootstrap grant. It refuses
once an active administrator exists: from then on, an administrator asks on the portal and a second one
approves. It also recovers a bank whose administrators were all deactivated.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from advocacy.accounts.invitations import invitation_url, send_invitation
from advocacy.org.models import Role, StaffProfile, StaffRole
from advocacy.org.policies import NotAllowed
from advocacy.org.privileges import bootstrap_grant
from advocacy.org.services import StaffData, upsert_staff


class Command(BaseCommand):
    help = (
        "Create the first administrator (or make an existing member of staff one) when no active "
        "administrator exists, and e-mail them an invitation. Archived as a bootstrap grant."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--employee-id", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--language", choices=["fr", "en"], default="fr")
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="Print the invitation link instead of e-mailing it (whoever reads it can set the password).",
        )

    def handle(self, *args, **options):
        if StaffRole.objects.filter(role=Role.ADMIN, profile__user__is_active=True).exists():
            raise CommandError(
                "An active administrator exists: on the portal (Organisation), an administrator asks for the "
                "role on the person's page and a second administrator approves it."
            )
        email = options["email"].strip().lower()
        existing = (
            StaffProfile.objects.select_related("user").filter(employee_id=options["employee_id"]).first()
        )
        if existing is not None and existing.user.email != email:
            raise CommandError(
                f"Employee id {existing.employee_id} belongs to {existing.user.email}, not {email}."
            )
        if existing is not None and not existing.user.is_active:
            raise CommandError(f"{email} is deactivated; reactivate them first.")
        try:
            with transaction.atomic():
                if existing is None:
                    profile, _created = upsert_staff(
                        data=StaffData(
                            employee_id=options["employee_id"],
                            email=email,
                            first_name=options["first_name"],
                            last_name=options["last_name"],
                            branch=None,
                            roles=frozenset(),
                            language=options["language"],
                        ),
                        actor="createadmin",
                        via="command line",
                    )
                else:
                    profile = existing
                bootstrap_grant(profile=profile, role=Role.ADMIN, process="createadmin")
        except NotAllowed as exc:
            raise CommandError(exc.message) from None
        user = profile.user
        self.stdout.write(self.style.SUCCESS(f"{email} is an administrator (bootstrap grant, archived)."))
        if user.has_usable_password():
            return
        if options["print_link"]:
            self.stdout.write(f"Invitation link (works once): {invitation_url(user)}")
            return
        try:
            send_invitation(user=user, actor="createadmin")
        except NotAllowed as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Invitation sent to {email}. They must enrol a second factor at first sign-in.")
