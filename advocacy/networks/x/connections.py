"""Services for an adviser's X connection: connect, keep the token fresh, notice revocation, disconnect.

Refreshing is the delicate part. X refresh tokens are single-use: if two workers refresh the same account
at once, the second presents a token X has already consumed, X answers ``invalid_request`` (and may revoke
the whole token family) and the adviser is disconnected for nothing. We therefore let exactly one caller
refresh, with a **lease claimed by a conditional UPDATE** rather than by holding ``select_for_update``
across the call: the network call happens outside any transaction (house rule), and a worker that dies
mid-refresh only blocks others until the lease runs out (``X_TIMEOUT_SECONDS`` x 3, always longer than the
refresh call can last). The UPDATE also requires the ``expires_at`` value we read, so it doubles as the
"re-read, still near expiry?" check: if somebody refreshed meanwhile, it matches no row and we use their
token. Other callers poll the row until the lease holder stores the new pair, bounded by the lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advocacy.networks.crypto import TokenDecryptionError, decrypt, encrypt
from advocacy.networks.interface import NotConnected
from advocacy.networks.x import client as xclient
from advocacy.networks.x.models import ConnectionGap, XAccount
from advocacy.org.models import StaffProfile
from compliance.archive.services import record

logger = logging.getLogger(__name__)


class AccountLinkedElsewhere(Exception):
    """This X account is already connected to another adviser."""


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.X_TIMEOUT_SECONDS * 3)


def _margin() -> dt.timedelta:
    return dt.timedelta(seconds=settings.X_REFRESH_MARGIN_SECONDS)


# --- connect / disconnect ----------------------------------------------------------------------------------
def connect_x_account(*, user, x_user: xclient.XUser, tokens: xclient.TokenSet) -> XAccount:
    """Store (or replace) the adviser's connection with freshly obtained tokens, encrypted.

    Refuses an X account already connected to somebody else: one X account speaks for one adviser.
    Reconnecting closes any open connection gap.
    """
    now = timezone.now()
    fields = {
        "x_user_id": x_user.id,
        "username": x_user.username,
        "access_token_encrypted": encrypt(tokens.access_token),
        "refresh_token_encrypted": encrypt(tokens.refresh_token),
        "expires_at": tokens.expires_at,
        "scopes": tokens.scopes,
        "status": XAccount.Status.CONNECTED,
        "disconnected_reason": XAccount.Reason.NONE,
        "disconnected_at": None,
        "connected_at": now,
        "last_ok_at": now,
        "refresh_claim": "",
        "refresh_claimed_until": None,
    }
    try:
        with transaction.atomic():
            if XAccount.objects.filter(x_user_id=x_user.id).exclude(user=user).exists():
                raise AccountLinkedElsewhere(x_user.username)
            account = XAccount.objects.select_for_update().filter(user=user).first()
            if account is None:
                account = XAccount.objects.create(user=user, **fields)
            else:
                for name, value in fields.items():
                    setattr(account, name, value)
                account.save(update_fields=list(fields))
            ConnectionGap.objects.filter(account=account, ended_at=None).update(ended_at=now)
            record(
                "x.connected",
                subject=account,
                actor=user,
                payload={
                    "network": "x",
                    "account": x_user.username,
                    "x_user_id": x_user.id,
                    "scopes": tokens.scopes,
                },
            )
    except IntegrityError:
        raise AccountLinkedElsewhere(x_user.username) from None
    return account


def disconnect_x_account(*, account: XAccount, actor) -> bool:
    """The adviser's own disconnection: revoke at X (best effort, outside any transaction), forget tokens.

    Returns whether X confirmed the revocation. Scheduled shares stay scheduled and fail at send time with
    "not connected" unless the adviser reconnects first.
    """
    revoked = False
    try:
        refresh_token = decrypt(account.refresh_token_encrypted)
        access_token = decrypt(account.access_token_encrypted)
    except TokenDecryptionError:
        refresh_token = access_token = ""
    if refresh_token or access_token:
        # Revoking the refresh token ends the whole token family at X; the access token is a fallback.
        revoked = xclient.revoke(refresh_token or access_token)
        if refresh_token and access_token:
            xclient.revoke(access_token)
    now = timezone.now()
    with transaction.atomic():
        XAccount.objects.filter(pk=account.pk).update(
            status=XAccount.Status.DISCONNECTED,
            disconnected_reason=XAccount.Reason.BY_ADVISER,
            disconnected_at=now,
            access_token_encrypted="",
            refresh_token_encrypted="",
            expires_at=None,
            refresh_claim="",
            refresh_claimed_until=None,
        )
        ConnectionGap.objects.filter(account=account, ended_at=None).update(ended_at=now)
        record(
            "x.disconnected",
            subject=account,
            actor=actor,
            payload={
                "network": "x",
                "account": account.username,
                "reason": XAccount.Reason.BY_ADVISER,
                "revoked_at_x": revoked,
            },
        )
    account.refresh_from_db()
    return revoked


def mark_revoked(account: XAccount, *, detail: str) -> bool:
    """X refused the connection (401, or a refresh token refused): disconnect, open a gap, tell the adviser.

    Safe to call from several workers at once: only the one whose conditional UPDATE changes the row opens
    the gap and sends the e-mail. Returns whether this call did it.
    """
    now = timezone.now()
    with transaction.atomic():
        changed = XAccount.objects.filter(pk=account.pk, status=XAccount.Status.CONNECTED).update(
            status=XAccount.Status.DISCONNECTED,
            disconnected_reason=XAccount.Reason.REVOKED,
            disconnected_at=now,
            access_token_encrypted="",
            refresh_token_encrypted="",
            expires_at=None,
            refresh_claim="",
            refresh_claimed_until=None,
        )
        if not changed:
            return False
        ConnectionGap.objects.create(account=account, started_at=now, reason=detail[:200])
        record(
            "x.disconnected",
            subject=account,
            actor=None,
            payload={
                "network": "x",
                "account": account.username,
                "reason": XAccount.Reason.REVOKED,
                "detail": detail[:200],
            },
        )
        user_id = account.user_id
        transaction.on_commit(lambda: _tell_adviser_disconnected(user_id))
    return True


def _tell_adviser_disconnected(user_id: int) -> None:
    account = XAccount.objects.select_related("user").get(user_id=user_id)
    user = account.user
    if not user.email:
        return
    language = StaffProfile.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "account": account,
            "connection_url": settings.PUBLIC_BASE_URL + "/shares/connection/",
        }
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Your X account is no longer connected")
        body = render_to_string("xnetwork/email/disconnected.txt", context)
    from django.core.mail import send_mail

    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


# --- fresh tokens ------------------------------------------------------------------------------------------
def fresh_account(account: XAccount) -> XAccount:
    """The account re-read, with an access token valid for at least ``X_REFRESH_MARGIN_SECONDS``.

    Refreshes when needed; safe to call from any number of workers at once (one lease, one refresh).
    Raises ``NotConnected`` when there is nothing to refresh, ``Unauthorized`` when X refused the refresh
    (the account is then disconnected), other ``NetworkError`` subclasses for transient failures.
    """
    deadline = time.monotonic() + _lease().total_seconds() + 1
    while True:
        current = XAccount.objects.get(pk=account.pk)
        if current.status != XAccount.Status.CONNECTED:
            raise NotConnected(current.username)
        now = timezone.now()
        if current.expires_at is None or current.expires_at > now + _margin():
            return current
        claim = uuid.uuid4().hex
        won = (
            XAccount.objects.filter(
                pk=current.pk, status=XAccount.Status.CONNECTED, expires_at=current.expires_at
            )
            .filter(Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lt=now))
            .update(refresh_claim=claim, refresh_claimed_until=now + _lease())
        )
        if won:
            return _refresh_with_lease(current, claim)
        if time.monotonic() > deadline:
            raise xclient.ServerError("another worker is still refreshing this account's token")
        time.sleep(0.05)


def _release(account: XAccount, claim: str) -> None:
    XAccount.objects.filter(pk=account.pk, refresh_claim=claim).update(
        refresh_claim="", refresh_claimed_until=None
    )


def _refresh_with_lease(account: XAccount, claim: str) -> XAccount:
    try:
        refresh_token = decrypt(account.refresh_token_encrypted)
    except TokenDecryptionError:
        _release(account, claim)
        mark_revoked(account, detail="stored refresh token cannot be decrypted")
        raise NotConnected(account.username) from None
    if not refresh_token:
        _release(account, claim)
        mark_revoked(account, detail="no refresh token (offline.access not granted)")
        raise NotConnected(account.username)
    try:
        tokens = xclient.refresh(refresh_token)  # network, outside any transaction, under our lease
    except xclient.Unauthorized as exc:
        mark_revoked(account, detail=f"refresh refused: {exc.message}")
        raise
    except xclient.XError:
        _release(account, claim)
        raise
    stored = XAccount.objects.filter(pk=account.pk, refresh_claim=claim).update(
        access_token_encrypted=encrypt(tokens.access_token),
        refresh_token_encrypted=encrypt(tokens.refresh_token or refresh_token),
        expires_at=tokens.expires_at,
        scopes=tokens.scopes or account.scopes,
        last_ok_at=timezone.now(),
        refresh_claim="",
        refresh_claimed_until=None,
    )
    if not stored:
        # Our lease ran out (a paused process). We hold the only valid pair now: store it anyway.
        logger.warning("X token refresh for account %s finished after its lease ran out", account.pk)
        XAccount.objects.filter(pk=account.pk, status=XAccount.Status.CONNECTED).update(
            access_token_encrypted=encrypt(tokens.access_token),
            refresh_token_encrypted=encrypt(tokens.refresh_token or refresh_token),
            expires_at=tokens.expires_at,
            refresh_claim="",
            refresh_claimed_until=None,
        )
    return XAccount.objects.get(pk=account.pk)


def note_call_succeeded(account: XAccount) -> None:
    """Remember the last time X accepted this connection (shown to compliance); cheap, no lock."""
    XAccount.objects.filter(pk=account.pk).update(last_ok_at=timezone.now())
