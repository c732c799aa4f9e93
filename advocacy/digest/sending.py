"""Sending the weekly digest: once per person and week, in their language, never to someone who opted out.

``send_weekly_digest`` claims the (person, week) row before it sends: a task re-run, a second beat or two
workers never send the same week twice. If the mail server refuses, the claim is released and the task's
retry sends it later. A worker dying between the claim and the send loses that one digest (at most once,
the right side to err on for a newsletter).

Every digest carries a one-click unsubscribe link (RFC 8058 ``List-Unsubscribe`` headers too): a signed,
non-expiring token of the person's id, so that opting out needs no password and cannot be done for
someone else.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from advocacy.digest import compose
from advocacy.digest.models import DigestPreference, DigestSent

TOKEN_SALT = "relais.digest.unsubscribe"  # noqa: S105 - a namespace for the signature, not a secret


class Outcome(enum.StrEnum):
    SENT = "sent"
    OPTED_OUT = "opted_out"
    EMPTY = "empty"
    ALREADY_SENT = "already_sent"
    NO_ADDRESS = "no_address"


def wants_digest(user) -> bool:
    return not DigestPreference.objects.filter(user_id=user.pk, subscribed=False).exists()


def set_subscribed(user, *, subscribed: bool, via: str) -> None:
    DigestPreference.objects.update_or_create(
        user_id=user.pk, defaults={"subscribed": subscribed, "changed_via": via}
    )


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=TOKEN_SALT, compress=True)


def user_for_token(token: str):
    """The active person the token was made for, or None (tampered, truncated, or that person left)."""
    try:
        user_id = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _render(user, digest: compose.Digest) -> tuple[str, str, str]:
    token = unsubscribe_token(user)
    unsubscribe_url = settings.PUBLIC_BASE_URL + reverse("digest:unsubscribe", kwargs={"token": token})
    context = {
        "user": user,
        "digest": digest,
        "library_url": settings.PUBLIC_BASE_URL + reverse("content:library"),
        "results_url": settings.PUBLIC_BASE_URL + reverse("dashboards:my_results"),
        "signals_url": settings.PUBLIC_BASE_URL + reverse("relationships:inbox"),
        "preferences_url": settings.PUBLIC_BASE_URL + reverse("digest:preferences"),
        "unsubscribe_url": unsubscribe_url,
        "bank_name": settings.RELAIS_BANK_NAME,
    }
    subject = render_to_string("digest/email/weekly_subject.txt", context).strip()
    body = render_to_string("digest/email/weekly_message.txt", context)
    return subject, body, unsubscribe_url


def send_weekly_digest(user_id: int, week: compose.Week) -> Outcome:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).select_related("staff").first()
    if user is None or not user.email:
        return Outcome.NO_ADDRESS
    if not wants_digest(user):
        return Outcome.OPTED_OUT
    if DigestSent.objects.filter(user_id=user.pk, week=week.first_day).exists():
        return Outcome.ALREADY_SENT
    profile = getattr(user, "staff", None)
    language = (profile.language if profile else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        digest = compose.digest_for(user, week)
        if digest.is_empty:
            return Outcome.EMPTY
        subject, body, unsubscribe_url = _render(user, digest)
    try:
        with transaction.atomic():
            claim = DigestSent.objects.create(user_id=user.pk, week=week.first_day)
    except IntegrityError:
        return Outcome.ALREADY_SENT
    message = EmailMessage(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    try:
        message.send()
    except Exception:
        claim.delete()  # not sent: the retry may send it
        raise
    return Outcome.SENT


def recipients_for(week: compose.Week):
    """Ids of everyone the week's digest may go to: active staff with an address who did not opt out and
    were not sent it yet (the send re-checks each, this only keeps the batches small)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__isnull=False)
        .exclude(email="")
        .exclude(digest_preference__subscribed=False)
        .exclude(pk__in=DigestSent.objects.filter(week=week.first_day).values("user_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
