"""The hash chain's canonical form: how a record becomes the exact bytes that are hashed.

Pure functions with no database access, shared by ``services.record`` (writing), ``verify`` (the database),
``verify_export`` (an offline export) and ``export``. Changing anything here changes every hash: don't, or
version it.

Canonical JSON: keys sorted, separators ``,`` and ``:``, UTF-8 without ``\\u`` escapes for printable
characters, every string NFC-normalised. Only JSON's own types survive; other values are normalised so
that one value has one spelling:

* aware ``datetime`` -> ISO 8601 in UTC with microseconds and ``Z`` (naive datetimes are refused);
  ``date`` / ``time`` -> ISO 8601;
* ``Decimal`` -> its string (``"12.50"``), ``float`` -> its shortest repr as a string (``"0.1"``): no
  binary-float ambiguity between writers and verifiers; NaN and infinities are refused;
* ``UUID`` -> its string; sets -> sorted lists; tuples -> lists; model instances -> ``"app_label.model:pk"``;
  lazy translations -> their text;
* anything else (bytes, arbitrary objects) raises ``TypeError``: a caller bug surfaces at once.

The record that is hashed is ``hash = sha256(prev_hash + canonical_record)`` (both as UTF-8 text, the
previous hash as 64 lowercase hex characters, ``"0" * 64`` before the first record), where
``canonical_record`` is the canonical JSON of::

    {"actor": null | {"email", "id", "name"}, "event_type", "network_post_id", "payload",
     "seq", "subject": null | {"ref", "repr", "user_id"}, "timestamp"}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import unicodedata
import uuid
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
_encode = _ENCODER.encode
# What _encode does for a str, without the Python-level dispatch (the C function when available): the
# verification encodes seven strings per record.
_encode_str = json.encoder.encode_basestring
_sha256 = hashlib.sha256


def text(value: str, limit: int | None = None) -> str:
    """NFC, without NUL (PostgreSQL text cannot hold it), optionally truncated: stored exactly as hashed."""
    value = unicodedata.normalize("NFC", str(value)).replace("\x00", "\ufffd")
    return value[:limit] if limit else value


def normalise(value: Any) -> Any:
    """A JSON-only copy of ``value`` following the rules in the module docstring."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # IntegerChoices and IntEnum members become plain numbers
    if isinstance(value, str | Promise):
        return text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("archive payloads cannot hold NaN or infinity")
        return repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("archive payloads cannot hold NaN or infinity")
        return str(value)
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"archive payload keys must be strings, not {type(key).__name__}")
            out[text(key)] = normalise(item)
        return out
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((normalise(item) for item in value), key=_encode)
    meta = getattr(value, "_meta", None)
    if meta is not None and hasattr(value, "pk"):
        return f"{meta.label_lower}:{value.pk}"
    raise TypeError(f"archive payloads cannot hold a {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return _encode(normalise(value))


def timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("archive timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_record(
    seq: int,
    ts: str,
    event_type: str,
    actor_id: int | None,
    actor_email: str,
    actor_name: str,
    subject_ref: str,
    subject_repr: str,
    subject_user_id: int | None,
    network_post_id: str,
    payload_json: str,
) -> str:
    """Written out by hand rather than through json.dumps of a dict: verification calls this a million
    times, and the payload is already canonical text that must not be parsed and re-encoded."""
    if actor_id is None and not actor_email and not actor_name:
        actor = "null"
    else:
        actor = (
            f'{{"email":{_encode_str(actor_email)},"id":{"null" if actor_id is None else int(actor_id)},'
            f'"name":{_encode_str(actor_name)}}}'
        )
    if not subject_ref and not subject_repr and subject_user_id is None:
        subject = "null"
    else:
        subject = (
            f'{{"ref":{_encode_str(subject_ref)},"repr":{_encode_str(subject_repr)},'
            f'"user_id":{"null" if subject_user_id is None else int(subject_user_id)}}}'
        )
    return (
        f'{{"actor":{actor},"event_type":{_encode_str(event_type)},"network_post_id":{_encode_str(network_post_id)},'
        f'"payload":{payload_json},"seq":{int(seq)},"subject":{subject},"timestamp":{_encode_str(ts)}}}'
    )


def record_hash(prev_hash: str, canonical: str) -> str:
    return _sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def payload_digest(payload_json: str) -> str:
    return _sha256(payload_json.encode("utf-8")).hexdigest()
