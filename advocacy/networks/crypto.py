"""Encryption at rest for network tokens (X access and refresh tokens).

Tokens are Fernet tokens (AES-128-CBC + HMAC-SHA256) under the keys of ``settings.TOKEN_ENCRYPTION_KEYS``.
The keys form a ``MultiFernet``: the FIRST key encrypts, EVERY key decrypts. That is what makes rotation
safe while the site runs:

1. generate a key: ``python -c "from cryptography.fernet import Fernet as F; print(F.generate_key())"``;
2. deploy ``TOKEN_ENCRYPTION_KEYS=<new>,<old>``: new tokens use the new key, old rows still decrypt;
3. run ``manage.py rotate_token_key``: every stored token is re-encrypted under the new key;
4. deploy ``TOKEN_ENCRYPTION_KEYS=<new>``: the old key is gone.

Without a key, DEBUG and the test runner derive one from ``SECRET_KEY`` (HKDF-SHA256) and say so once in
the log; anywhere else the system check ``relais.E001`` stops ``runserver``/``migrate``/``check --deploy``,
and the first use raises ``ImproperlyConfigured`` so that a worker started without checks refuses too.

Plain tokens never leave this module's callers: ``Secret`` wraps a decrypted value so that a stray
``repr()``, f-string or log argument prints ``Secret('***')`` instead of the token.
"""

from __future__ import annotations

import base64
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

_HKDF_INFO = b"relais token encryption (development key)"


class TokenDecryptionError(Exception):
    """A stored token no key can decrypt: the key was removed before ``rotate_token_key`` ran."""


class Secret(str):
    """A decrypted token. Behaves as ``str`` for the HTTP call, but never shows itself in reprs or logs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:  # str(secret), f"{secret}", "%s" % secret: all masked
        return "***"

    def reveal(self) -> str:
        """The plain token, for the one place that sends it (an Authorization header)."""
        return str.__str__(self)


def reveal(value: str) -> str:
    """The plain text of a token that may or may not be a ``Secret``.

    Never write ``Secret(secret)`` or ``str(secret)``: both go through ``__str__`` and give ``***``.
    """
    return value.reveal() if isinstance(value, Secret) else value


def key_problems() -> list[str]:
    """What is wrong with the configured keys (read by the system checks)."""
    problems = []
    for position, key in enumerate(settings.TOKEN_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(f"key #{position} is not a Fernet key (32 url-safe base64-encoded bytes)")
    return problems


def uses_development_key() -> bool:
    return not settings.TOKEN_ENCRYPTION_KEYS


def development_key_allowed() -> bool:
    return bool(settings.DEBUG or settings.TESTING)


def _derived_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode("utf-8")))


@functools.cache
def _fernet() -> MultiFernet:
    if settings.TOKEN_ENCRYPTION_KEYS:
        problems = key_problems()
        if problems:
            raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS: " + "; ".join(problems))
        return MultiFernet([Fernet(key) for key in settings.TOKEN_ENCRYPTION_KEYS])
    if not development_key_allowed():
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS is required when DEBUG is off: X tokens are never stored unencrypted."
        )
    logger.warning(
        "TOKEN_ENCRYPTION_KEYS is not set: X tokens are encrypted with a key derived from SECRET_KEY. "
        "Acceptable for development only."
    )
    return MultiFernet([Fernet(_derived_key())])


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in ("TOKEN_ENCRYPTION_KEYS", "SECRET_KEY", "DEBUG", "TESTING"):
        _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    """Encrypt under the first key. An empty token stays empty (a connection without refresh token)."""
    if not plaintext:
        return ""
    return _fernet().encrypt(reveal(plaintext).encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> Secret:
    if not ciphertext:
        return Secret("")
    try:
        return Secret(_fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8"))
    except InvalidToken:
        raise TokenDecryptionError("no configured key decrypts this token") from None


def reencrypt(ciphertext: str) -> str:
    """The same token under the current first key (``MultiFernet.rotate``); empty stays empty."""
    if not ciphertext:
        return ""
    try:
        return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise TokenDecryptionError("no configured key decrypts this token") from None
