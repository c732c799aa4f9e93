"""A person's sign-in address changes only when an administrator confirms it.

The address is where a password reset goes: a roster row that changed it at once would let whoever typed the
new address reset the password and sign in as that person. So a different address (from HR's roster, an
administrator's page or the command line) becomes an ``EmailChangeRequest``: the old address is told at
once, the account keeps it, and an administrator who neither asked for the change nor is the person
concerned confirms it. Then the address changes, the person's open sessions end, and both addresses are
told. Each step is archived.
"""

from __future__ import annotations

import functools
import logging
from importlib import import_module

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advocacy.org.models import EmailChangeRequest, Role, StaffProfile
from advocacy.org.policies import (
    NotAllowed,
    decision_refusal,
    email_domain_refusal,
    is_administrator,
    require_administrator,
)
from advocacy.org.selectors import roles_of
from advocacy.org.services import person
from compliance.archive.services import record

logger = logging.getLogger(__name__)
User = get_user_model()
Status = EmailChangeRequest.Status


def address_refusal(new_email: str, *, user) -> str | None:
    """Why ``new_email`` cannot become ``user``'s address, or None."""
    try:
        validate_email(new_email)
    except ValidationError:
        return _("“%(value)s” is not a valid e-mail address.") % {"value": new_email}
    problem = email_domain_refusal(new_email)
    if problem:
        return problem
    taken = (
        User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=new_email).exclude(user=user).exists()
    )
    if taken:
        return _("%(email)s is already the address of another account.") % {"email": new_email}
    return None


@transaction.atomic
def request_email_change(
    *, profile: StaffProfile, new_email: str, actor, via: str
) -> tuple[EmailChangeRequest | None, bool]:
    """Ask for ``profile``'s address to become ``new_email``; the old address is told after commit.

    ``actor`` is HR or an administrator, or None for the command line. Safe to call twice: a pending request
    for the same address is returned as it is (``created`` False, nobody mailed again); a pending request
    for another address is replaced. Returns (None, False) when the address is already the person's.
    """
    if actor is not None and not (is_administrator(actor) or Role.HR in roles_of(actor)):
        raise NotAllowed(_("Only HR or an administrator can change someone's address."))
    user = profile.user
    new_email = new_email.strip().lower()
    if new_email == user.email.lower():
        return None, False
    refusal = address_refusal(new_email, user=user)
    if refusal:
        raise NotAllowed(refusal)
    pending = (
        EmailChangeRequest.objects.select_for_update().filter(profile=profile, status=Status.PENDING).first()
    )
    if pending is not None and pending.new_email == new_email:
        return pending, False
    if pending is not None:
        EmailChangeRequest.objects.filter(pk=pending.pk, status=Status.PENDING).update(
            status=Status.SUPERSEDED, decided_at=timezone.now()
        )
    change = EmailChangeRequest.objects.create(
        profile=profile, old_email=user.email, new_email=new_email, via=via, requested_by=actor
    )
    record(
        "staff.email_change_requested",
        subject=profile,
        actor=actor,
        payload={
            "request_id": change.pk,
            "employee_id": profile.employee_id,
            "old_email": change.old_email,
            "new_email": new_email,
            "via": via,
            **({"supersedes": pending.pk} if pending is not None else {}),
        },
    )
    transaction.on_commit(
        functools.partial(_notify, change.pk, "account/email/email_change_requested", [change.old_email])
    )
    return change, True


def _decide(change: EmailChangeRequest, *, actor, status: str) -> bool:
    """The one door out of "pending" (a conditional update: of two decisions at once, one wins)."""
    now = timezone.now()
    won = EmailChangeRequest.objects.filter(pk=change.pk, status=Status.PENDING).update(
        status=status, decided_by=actor, decided_at=now
    )
    if won:
        change.status, change.decided_by, change.decided_at = status, actor, now
    return bool(won)


@transaction.atomic
def confirm_email_change(*, change: EmailChangeRequest, actor) -> bool:
    """An administrator confirms: the address changes, the person's sessions end, both addresses are told.
    Returns False when the request was no longer pending."""
    profile = StaffProfile.objects.select_related("user").get(pk=change.profile_id)
    user = profile.user
    refusal = decision_refusal(actor, requested_by_id=change.requested_by_id, subject_user_id=user.pk)
    if refusal:
        raise NotAllowed(refusal)
    if user.email.lower() != change.old_email.lower():
        raise NotAllowed(_("The address changed since this request was made: refuse it."))
    refusal = address_refusal(change.new_email, user=user)
    if refusal:
        raise NotAllowed(refusal)
    if not _decide(change, actor=actor, status=Status.CONFIRMED):
        return False
    old = user.email
    user.email = change.new_email
    fields = ["email"]
    # Accounts are created with their address as user name: keep the two alike, so that the old address is
    # free for someone else's new account.
    if user.username == old[:150] and not User.objects.filter(username=change.new_email[:150]).exists():
        user.username = change.new_email[:150]
        fields.append("username")
    user.save(update_fields=fields)
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    ended = end_sessions(user)
    record(
        "staff.email_changed",
        subject=profile,
        actor=actor,
        payload={
            "request_id": change.pk,
            "employee_id": profile.employee_id,
            "old_email": old,
            "new_email": user.email,
            "requested_by": person(change.requested_by) if change.requested_by_id else None,
            "sessions_ended": ended,
        },
    )
    transaction.on_commit(
        functools.partial(_notify, change.pk, "account/email/email_changed", [old, user.email])
    )
    return True


@transaction.atomic
def refuse_email_change(*, change: EmailChangeRequest, actor) -> bool:
    require_administrator(actor)
    if not _decide(change, actor=actor, status=Status.REFUSED):
        return False
    record(
        "staff.email_change_refused",
        subject=change.profile,
        actor=actor,
        payload={
            "request_id": change.pk,
            "employee_id": change.profile.employee_id,
            "old_email": change.old_email,
            "new_email": change.new_email,
        },
    )
    return True


def end_sessions(user) -> int:
    """End every open session of ``user`` (database-backed sessions, the configured engine). Sessions live
    at most ``SESSION_IDLE_TIMEOUT_MINUTES``, so the scan covers few rows."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def _notify(change_id: int, template: str, recipients: list[str]) -> None:
    """Runs after commit: a mail server that is down costs the notice, never the request. The request's
    notice goes to the old address only (never to the new one, which may be anybody's); the confirmation's
    to both."""
    change = EmailChangeRequest.objects.select_related("profile__user", "requested_by").get(pk=change_id)
    user = change.profile.user
    context = {
        "user": user,
        "old_email": change.old_email,
        "new_email": change.new_email,
        "requested_by": change.requested_by.get_full_name() if change.requested_by_id else "",
        "bank_name": settings.RELAIS_BANK_NAME,
    }
    with translation.override(change.profile.language or settings.LANGUAGE_CODE):
        for address in recipients:
            try:
                get_adapter().send_mail(template, address, context)
            except Exception:
                logger.exception("e-mail change notice %s to request %s failed", template, change_id)
