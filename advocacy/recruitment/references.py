"""The per-share source reference carried by the apply link to the ATS and back in its applications.

A reference is ``r`` + the share id in base 36 + a 10-character keyed MAC of that id (HMAC-SHA256 under a
key derived from ``SECRET_KEY``, base 32): e.g. ``r2n9c4qk7hx1bma``. Why computed rather than stored:

* stable: the same share always gets the same reference, so a cached redirect, a second click or a
  redirect served after a restart all carry the same one, and nothing is written on the redirect path;
* unguessable enough: without the key, nobody can make the reference of another share (50 bits of MAC),
  so a candidate cannot credit an application to an employee of their choosing by editing the URL;
* opaque enough: it names a share id, which the UTM parameters of every other tracked link already show
  (``utm_content``), and nothing about the employee.

A reference is verified against ``SECRET_KEY`` and then every ``SECRET_KEY_FALLBACKS``: after a key
rotation, applications that arrive weeks later for links shared before it are still attributed.
"""

from __future__ import annotations

import base64
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "advocacy.recruitment.references"
MAC_LENGTH = 10
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def _mac(share_id: int, secret: str) -> str:
    digest = salted_hmac(_SALT, str(share_id), secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii").lower()[:MAC_LENGTH]


def reference_for(share_id: int) -> str:
    return f"r{_base36(share_id)}{_mac(share_id, settings.SECRET_KEY)}"


def share_id_from(reference: str) -> int | None:
    """The share a reference was made for, or None for anything Relais did not make (no error: an
    application without a valid reference is simply unattributed)."""
    reference = (reference or "").strip().lower()
    if not (MAC_LENGTH + 2 <= len(reference) <= 40) or reference[0] != "r":
        return None
    digits, mac = reference[1:-MAC_LENGTH], reference[-MAC_LENGTH:]
    try:
        share_id = int(digits, 36)
    except ValueError:
        return None
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        if hmac.compare_digest(_mac(share_id, secret), mac):
            return share_id
    return None
