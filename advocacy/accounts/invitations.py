"""Invitations: staff get an e-mail with a one-time link to choose their password.

The link is allauth's own password-reset-from-key link (Django's token generator): it stops working
once the password is set, and after ``INVITATION_VALID_HOURS``. Reusing it shows allauth's
"bad token" page, which offers to send a fresh link.

Sent by the roster import (new staff, after their batch commits), the staff admin's "invite" action and
``manage.py createadmin``.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from advocacy.org.policies import NotAllowed, email_domain_refusal
from compliance.archive.services import record


def invitation_url(user) -> str:
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return settings.PUBLIC_BASE_URL + path.replace("UID-KEY", key)


def send_invitation(*, user, actor=None) -> None:
    """Mail ``user`` their invitation link; refused (``NotAllowed``) outside the bank's e-mail domains, so
    that a link that sets a password never leaves the bank's mail system."""
    refusal = email_domain_refusal(user.email)
    if refusal:
        raise NotAllowed(refusal)
    language = getattr(getattr(user, "staff", None), "language", settings.LANGUAGE_CODE)
    with translation.override(language):
        get_adapter().send_mail(
            "account/email/invitation",
            user.email,
            {
                "user": user,
                "invitation_url": invitation_url(user),
                "bank_name": settings.RELAIS_BANK_NAME,
                "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
    record("staff.invited", subject=user, actor=actor, payload={"email": user.email})
