"""System checks for publishing: the token key must exist outside development, and must be valid.

Registered without ``deploy=True`` so that ``runserver`` and ``migrate`` refuse to run too; ``check
--deploy`` reports them as well.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from advocacy.networks import crypto


@register(Tags.security)
def token_encryption_key(app_configs, **kwargs):
    errors = []
    if crypto.uses_development_key() and not crypto.development_key_allowed():
        errors.append(
            Error(
                "TOKEN_ENCRYPTION_KEYS is not set.",
                hint="Set TOKEN_ENCRYPTION_KEYS to one or more Fernet keys (comma-separated, the first "
                "encrypts). X tokens are never stored unencrypted, and the development key derived "
                "from SECRET_KEY is only allowed with DEBUG=1.",
                id="relais.E001",
            )
        )
    for problem in crypto.key_problems():
        errors.append(Error(f"TOKEN_ENCRYPTION_KEYS: {problem}.", id="relais.E002"))
    return errors
