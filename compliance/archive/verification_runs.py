"""Verification runs: ``verify.verify_database`` checks the chain; this module makes a run of it an event
of its own. The outcome is kept (``ArchiveVerification``: the compliance banner reads the latest one), the
run is archived (``archive.verified``), and a failed nightly run is mailed to the people who must act on it.
Kept apart from ``verify`` so that the verifier stays a pure reader with no mail, roles or writes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.archive.models import ArchiveVerification
from compliance.archive.services import record


def run_verification(*, trigger: str = "command", notify: bool = False):
    """Verify the whole chain, keep the outcome (the compliance banner reads the latest one), archive the
    run, and on failure e-mail administrators and compliance officers. Returns (verification, result)."""
    from advocacy.org.models import Role
    from advocacy.org.selectors import users_with_role
    from compliance.archive.verify import verify_database

    started = timezone.now()
    result = verify_database(checkpoint_file=settings.ARCHIVE_CHECKPOINT_FILE)
    problem = result.problem
    verification = ArchiveVerification.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        ok=result.ok,
        records_checked=result.checked,
        last_seq=result.last_seq,
        first_bad_seq=problem.seq if problem else None,
        problem=problem.kind if problem else "",
        detail=problem.detail if problem else "",
        trigger=trigger,
    )
    record(
        "archive.verified",
        payload={
            "ok": result.ok,
            "records_checked": result.checked,
            "last_seq": result.last_seq,
            "first_bad_seq": problem.seq if problem else None,
            "problem": problem.kind if problem else None,
            "trigger": trigger,
        },
    )
    if not result.ok and notify:
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
    return verification, result
