"""Follower ids under a secret key before they enter a sketch.

A HyperLogLog register keeps only the position of a hash's first one bit, but the ids that went in can be
tested against a sketch by anyone who can compute the hash: keyed with ``AUDIENCE_HASH_KEY`` (by default
derived from ``SECRET_KEY``), a leaked sketch or Redis dump says nothing about who follows whom. Changing
the key changes every hash, so sketches remember the key's fingerprint and are rebuilt under a new one.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    return settings.AUDIENCE_HASH_KEY.encode()


def key_fingerprint() -> str:
    """Which key hashed a sketch (not the key: a hash of it under a fixed label)."""
    return hmac.new(_key(), b"relais.audience.fingerprint", hashlib.sha256).hexdigest()[:16]


def follower_hash(x_user_id: str) -> bytes:
    """16 bytes of HMAC-SHA256 of the network's user id: what Redis ``PFADD`` receives."""
    return hmac.new(_key(), x_user_id.encode(), hashlib.sha256).digest()[:16]


def follower_hash_int(x_user_id: str) -> int:
    """The same hash as a 64-bit integer: what a DataSketches HLL receives (it hashes it again itself)."""
    return int.from_bytes(follower_hash(x_user_id)[:8], "big", signed=True)
