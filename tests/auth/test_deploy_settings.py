"""Production settings pass Django's deployment checks; bad or missing configuration stops the process.

Each test evaluates advocacy.settings in a fresh interpreter, so the module reads the environment given.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
# Variables a developer's shell might have set that would change what is tested.
_CONFIG_VARS = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "OIDC_SERVER_URL",
    "TOKEN_ENCRYPTION_KEYS",
    "MFA_REQUIRED_ROLES",
    "EMAIL_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process; never in a deployment
)


def _secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings",
        DEBUG="0",
        SECRET_KEY=_secret_key(),
        ALLOWED_HOSTS="relais.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        RELAIS_VAR_DIR=str(tmp_path / "var"),
        # Production refuses to store X tokens without an encryption key (system check relais.E001).
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        production_env(tmp_path),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output and "?: (" not in output


def test_production_settings_are_https_only_with_secure_cookies_and_an_idle_timeout(tmp_path):
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "SESSION_REFRESH_SECONDS",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
        "X_FRAME_OPTIONS",
        "RELAIS_MFA_REQUIRED_ROLES",
        "ALLOWED_HOSTS",
    ]
    result = run_python(
        "import json; from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))",
        production_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": False,
        "SESSION_REFRESH_SECONDS": 60,
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https",
        "X_FRAME_OPTIONS": "DENY",
        "RELAIS_MFA_REQUIRED_ROLES": ["compliance", "admin"],
        "ALLOWED_HOSTS": ["relais.example"],
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SECRET_KEY": None}, "The environment variable SECRET_KEY is required."),
        ({"SECRET_KEY": ""}, "The environment variable SECRET_KEY is required."),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "0"}, "SESSION_IDLE_TIMEOUT_MINUTES=0 is below the minimum of 1."),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "half an hour"}, "is not a whole number"),
        ({"INVITATION_VALID_HOURS": "-1"}, "INVITATION_VALID_HOURS=-1 is below the minimum of 1."),
        ({"SECURE_COOKIES": "sometimes"}, "SECURE_COOKIES='sometimes' is not a boolean"),
        ({"OIDC_SERVER_URL": "https://login.bank.example"}, "OIDC_CLIENT_ID is required"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a valid database URL"),
        # The stray brace the demo script used to add, an unknown field, a template that is not a URL.
        (
            {"X_POST_URL_TEMPLATE": "https://x.com/{username}/status/{id}}"},
            "X_POST_URL_TEMPLATE='https://x.com/{username}/status/{id}}' is not a valid URL template",
        ),
        ({"X_POST_URL_TEMPLATE": "https://x.com/{user}/{id}"}, "uses unknown fields ['user']"),
        ({"X_POST_URL_TEMPLATE": "x.com/{id}"}, "is not an http(s) URL template"),
    ],
)
def test_bad_or_missing_configuration_stops_the_process_at_start_up(tmp_path, overrides, message):
    result = run_python("import advocacy.settings", production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_misspelt_mfa_role_stops_the_server_when_it_loads_its_middleware(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.core.handlers.wsgi import WSGIHandler; WSGIHandler()",
        production_env(tmp_path, MFA_REQUIRED_ROLES="compliance,admn"),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "admn" in result.stderr
