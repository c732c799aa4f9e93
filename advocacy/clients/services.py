"""Changing the client book: every move of personal data goes through here and, for consent, is archived.

Consent comes first: a handle is stored only while a consent stands (``record_consent`` takes it), and
``withdraw_consent`` clears the handle and the X user id in the same transaction. Archive events name the
client by ``privacy.client_key`` only.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.clients.erasure import erase_client
from advocacy.clients.models import Client, Consent, HandleStatus
from advocacy.clients.privacy import client_key
from advocacy.org.models import StaffProfile

_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_URL = re.compile(r"^(?:https?://)?(?:www\.|mobile\.)?(?:x|twitter)\.com/([^/?#]+)/?(?:[?#].*)?$", re.I)


def normalise_handle(raw: str) -> str:
    """``@name``, ``name``, ``https://x.com/name`` or ``twitter.com/name`` → ``name``; ValueError otherwise
    (X's rule: 1 to 15 letters, digits or underscores)."""
    value = (raw or "").strip()
    match = _URL.match(value)
    if match:
        value = match.group(1)
    if value.startswith("@"):
        value = value[1:]
    if not _HANDLE.match(value):
        raise ValueError(
            _("“%(handle)s” is not an X handle (1 to 15 letters, digits or _).") % {"handle": raw}
        )
    return value


def _branch_of(adviser):
    profile = StaffProfile.objects.filter(user_id=adviser.pk).select_related("branch").first()
    if profile is None or profile.branch_id is None:
        raise ValueError(_("This adviser has no branch."))
    return profile.branch


def _check_owner(client: Client, user) -> None:
    if client.adviser_id != user.pk:
        raise PermissionDenied


def add_client(*, adviser, client_ref: str, first_name: str = "", last_name: str = "") -> Client:
    """A client of ``adviser`` (their branch), with no handle until a consent is recorded."""
    return Client.objects.create(
        adviser=adviser,
        branch=_branch_of(adviser),
        client_ref=client_ref.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )


def edit_client(client: Client, *, by, first_name: str, last_name: str, x_handle: str = "") -> Client:
    """Change names, and the handle only if a consent stands (a new handle is resolved again)."""
    _check_owner(client, by)
    client.first_name, client.last_name = first_name.strip(), last_name.strip()
    fields = ["first_name", "last_name", "updated_at"]
    if x_handle and client.consent_given:
        handle = normalise_handle(x_handle)
        if handle.lower() != client.x_handle.lower():
            client.x_handle, client.x_user_id = handle, ""
            client.handle_status, client.handle_resolved_at = HandleStatus.PENDING, None
            fields += ["x_handle", "x_user_id", "handle_status", "handle_resolved_at"]
    client.save(update_fields=fields)
    return client


def remove_client(client: Client, *, by) -> None:
    """An adviser deleting their own client: an erasure (everything held about them goes)."""
    _check_owner(client, by)
    erase_client(client, by=by, reason="deleted")


def record_consent(
    client: Client,
    *,
    by,
    method: str,
    consent_date: dt.date,
    x_handle: str = "",
    wording_version: str | None = None,
) -> Consent:
    """The client agreed to be linked to their X account: store the consent, then (only then) the handle."""
    handle = normalise_handle(x_handle) if x_handle else ""
    version = wording_version or settings.CLIENT_CONSENT_WORDING_VERSION
    from compliance.archive.services import record

    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        consent = Consent.objects.create(
            client=client,
            given=True,
            recorded_by=by,
            method=method,
            wording_version=version,
            consent_date=consent_date,
        )
        client.current_consent = consent
        fields = ["current_consent", "updated_at"]
        if handle and handle.lower() != client.x_handle.lower():
            client.x_handle, client.x_user_id = handle, ""
            client.handle_status, client.handle_resolved_at = HandleStatus.PENDING, None
            fields += ["x_handle", "x_user_id", "handle_status", "handle_resolved_at"]
        client.save(update_fields=fields)
        record(
            "client.consent_recorded",
            subject=client.adviser,
            actor=by,
            payload={
                "client_key": client_key(client.client_ref),
                "method": method,
                "wording_version": version,
                "consent_date": consent_date.isoformat(),
            },
        )
    return consent


def withdraw_consent(client: Client, *, by) -> None:
    """The client withdrew: the handle and X user id are cleared at once, the consent kept as history."""
    from compliance.archive.services import record

    now = timezone.now()
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        consent = client.current_consent
        if consent is None or consent.withdrawn_at is not None:
            return
        consent.withdrawn_at, consent.withdrawn_by = now, by
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        client.x_handle, client.x_user_id = "", ""
        client.handle_status, client.handle_resolved_at = HandleStatus.NONE, None
        client.save(
            update_fields=["x_handle", "x_user_id", "handle_status", "handle_resolved_at", "updated_at"]
        )
        record(
            "client.consent_withdrawn",
            subject=client.adviser,
            actor=by,
            payload={"client_key": client_key(client.client_ref)},
        )
