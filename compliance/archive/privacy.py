"""What the archive keeps of where a person connected from: a keyed hash of their network, never an address.

A /24 (IPv4) or /48 (IPv6), HMAC-SHA256 under ``SECRET_KEY``: enough for an examiner to see that sign-ins or
failed attempts came from one place or from many, not enough to find anyone's address (GDPR data
minimisation). Shared by the sign-in records (``signals``) and the failed sign-in records
(``advocacy.accounts.sign_in_failures``).
"""

from __future__ import annotations

import ipaddress

from django.utils.crypto import salted_hmac


def source_network(ip: str) -> str:
    """A keyed hash of the network ``ip`` belongs to (/24 for IPv4, /48 for IPv6); "" if it is no address."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    network = ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 48}", strict=False)
    return salted_hmac("relais.sign_in_failures.network", str(network), algorithm="sha256").hexdigest()[:32]
