"""What the archive keeps of a client: a keyed hash of their reference, never the reference, name or handle.

The archive is kept for years and cannot be edited; a client's personal data must be erasable (GDPR
art. 17). So archive events about a client carry only ``client_key``: HMAC-SHA256 of the client reference
under ``SECRET_KEY`` (as ``compliance.archive.privacy`` does for networks). An examiner holding the
reference can check that events concern one client; the archive alone names nobody.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac


def client_key(client_ref: str) -> str:
    return salted_hmac("relais.clients.client_ref", client_ref.strip(), algorithm="sha256").hexdigest()[:32]
