"""Alerts to people about the archive: a failed nightly verification is mailed to every administrator and
compliance officer (by the nightly task, ``tasks.verify_archive_nightly``)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from advocacy.org.models import Role
from advocacy.org.selectors import users_with_role


def mail_failed_verification(result) -> None:
    problem = result.problem
    recipients = sorted(
        {u.email for role in (Role.ADMIN, Role.COMPLIANCE) for u in users_with_role(role) if u.email}
    )
    if recipients:
        send_mail(
            _("Archive verification failed"),
            _(
                "The nightly verification of the regulatory archive found a problem.\n\n%(problem)s\n\n"
                "Records checked before the problem: %(checked)s. Do not purge or export until it is "
                "understood; see docs/archive.md, “When verification fails”."
            )
            % {"problem": problem, "checked": result.checked},
            None,
            recipients,
        )
