"""Typed readers for environment variables.

Settings are read once, in ``advocacy.settings``, through these helpers. Each helper fails loudly
(``ImproperlyConfigured``) on a value it cannot parse: a typo in a bank's deployment must stop the
process at start-up, not silently fall back to a default.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_url_template(name: str, default: str, *, fields: frozenset[str]) -> str:
    """A URL with ``str.format`` fields among ``fields`` (``https://x.com/{username}/status/{id}``).

    Checked here, at start-up, because the template is first used right after an irreversible call: a
    typo (a stray brace, an unknown field) found then would stand between a live post and its record."""
    from string import Formatter

    value = env_str(name, default)
    try:
        used = {field for _text, field, _spec, _conv in Formatter().parse(value) if field is not None}
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a valid URL template: {exc}.") from None
    unknown = used - fields
    if unknown:
        raise ImproperlyConfigured(
            f"{name}={value!r} uses unknown fields {sorted(unknown)}; allowed: "
            + ", ".join("{" + f + "}" for f in sorted(fields))
        )
    try:
        sample = value.format(**dict.fromkeys(fields, "x"))
    except (ValueError, IndexError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a valid URL template: {exc}.") from None
    if urlsplit(sample).scheme not in ("http", "https") or not urlsplit(sample).netloc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an http(s) URL template.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        parsed = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and parsed < minimum:
        raise ImproperlyConfigured(f"{name}={parsed} is below the minimum of {minimum}.")
    return parsed


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_email_url(url: str) -> dict[str, object]:
    """Turn ``EMAIL_URL`` into Django e-mail settings.

    Supported: ``console://``, ``locmem://``, ``dummy://``, ``file:///path``, ``smtp://user:pass@host:port``
    and ``smtps://…`` (implicit TLS); ``?tls=1`` asks for STARTTLS.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not one of {', '.join(sorted(backends))}."
        )
    config: dict[str, object] = {"EMAIL_BACKEND": backends[scheme]}
    if scheme == "file":
        config["EMAIL_FILE_PATH"] = parts.path
    if scheme in {"smtp", "smtps"}:
        query = parse_qs(parts.query)
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("EMAIL_URL has an invalid port.") from None
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=port or (465 if scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", ["0"])[0].lower() in _TRUE,
            EMAIL_TIMEOUT=10,
        )
    return config
