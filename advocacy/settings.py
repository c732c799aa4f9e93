"""Relais settings: the one settings module.

Everything deployment-specific comes from environment variables, parsed by ``advocacy.env`` helpers
that refuse bad values. Defaults give a newcomer a working portal on SQLite with no broker; production
sets ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` and ``SECRET_KEY``. The README's configuration table
lists every variable read here.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from advocacy.env import env_bool, env_int, env_list, env_str, env_url_template, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RELAIS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

# --- Core -------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=not (DEBUG or TESTING))
if SECRET_KEY is None:
    # Only reached with DEBUG or under the test runner: a fixed, obviously unsafe development key.
    SECRET_KEY = "relais-insecure-development-key-never-use-in-production-0123456789"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_ID = 1
RELAIS_BANK_NAME = env_str("RELAIS_BANK_NAME", "Relais")
# The bank's public website: a client who follows a dead tracked link is offered it (links/link_gone.html).
RELAIS_BANK_PUBLIC_URL = env_str("RELAIS_BANK_PUBLIC_URL", "")
if RELAIS_BANK_PUBLIC_URL and not RELAIS_BANK_PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("RELAIS_BANK_PUBLIC_URL must be an http(s) address, such as https://www.bank.fr/")
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.twitter_oauth2",
    "django_htmx",
    # Relais
    "advocacy.org",
    "advocacy.accounts",
    "advocacy.portal",
    "advocacy.content",
    "advocacy.networks.x",
    "advocacy.networks.usage",
    "advocacy.links",
    "advocacy.shares",
    "advocacy.campaigns",
    "advocacy.clients",
    "advocacy.relationships",
    "advocacy.replies",
    "advocacy.metrics",
    "advocacy.dashboards",
    "advocacy.recruitment",
    "advocacy.audience",
    "advocacy.reach",
    "advocacy.digest",
    "advocacy.rollups",
    "advocacy.recognition",
    "compliance.review",
    "compliance.supervision",
    "compliance.archive",
    "compliance.archive.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "advocacy.accounts.middleware.RefreshIdleSessionMiddleware",
    "advocacy.portal.headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "advocacy.accounts.middleware.EnforceMfaMiddleware",
    "advocacy.portal.middleware.StaffTimeZoneMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"
ASGI_APPLICATION = "advocacy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advocacy.portal.context_processors.portal",
                "compliance.archive.web.context_processors.archive_status",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'relais.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web processes read while the demo worker writes. Transactions begin IMMEDIATE: they take
    # the write lock first and wait for it (``timeout`` s), where a deferred transaction that read and then
    # wrote would fail at once with "database is locked" if another process wrote in between (the worker
    # heartbeat's upsert did).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # psycopg's protocol-level prepared statements: values travel apart from the SQL (server-side binding)
    # and a statement run 5 times on a connection is prepared there (psycopg's default threshold), so the
    # statements run on every publication (the share's seven-table load, the archive append, the policy
    # read) are planned once per connection instead of once per run. They work through PgBouncer >= 1.21 in
    # transaction mode (max_prepared_statements > 0); DB_PREPARED_STATEMENTS=0 turns them off (client-side
    # binding, nothing prepared) for an older pooler.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost (on by default since
    # PostgreSQL 12): worth it for a report scanning millions of rows, not for a web page's queries, where
    # compiling took 25-90 ms under load for a dashboard query that ran in less (bench/README.md). Off for
    # Relais's sessions (libpq's ``options``, a startup parameter). PgBouncer refuses startup parameters it
    # does not track: behind it set DB_JIT=1 here and ``ALTER ROLE <relais role> SET jit = off`` instead.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker -----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    # One process, and tests that do not all use the database: local memory, emptied by the test fixtures.
    # The database cache is tested by real processes (tests/publishing/test_links_across_processes.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Without Redis the cache still has to be shared by every web process and the worker (rate limits,
    # tracked-link invalidation, the visitor salt): Django's database cache, whose table the migration
    # advocacy/portal/migrations/0002_cache_table.py creates.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "relais_cache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# --- Authentication (django-allauth) -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_ADAPTER = "advocacy.accounts.adapter.RelaisAccountAdapter"
SOCIALACCOUNT_ADAPTER = "advocacy.accounts.adapter.RelaisSocialAccountAdapter"
MFA_ADAPTER = "advocacy.accounts.mfa_adapter.RelaisMFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # staff addresses come from HR's roster, not from self sign-up
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Invite-only: a reset request for an address we do not know gets the same page as any other and no
# mail at all (allauth would otherwise mail the stranger an "unknown account" notice, which with sign-up
# closed only helps someone use the portal to send mail to arbitrary addresses).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{RELAIS_BANK_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG or TESTING else "https"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so that a reviewer sees them: failed logins are limited per IP
    # and per account; the message on the login page tells the person to wait.
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = RELAIS_BANK_NAME
# Roles that may not use the portal until they have enrolled a second factor.
RELAIS_MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["compliance", "admin"])
# Roles that only an administrator may grant, and that take effect only when a second administrator approves
# (four eyes); "admin" is always one of them. Checked at start-up (advocacy/org/apps.py).
RELAIS_PRIVILEGED_ROLES = env_list("PRIVILEGED_ROLES", ["admin", "compliance", "hr_reviewer"])
# The bank's e-mail domains: staff addresses (new accounts, address changes) and invitations must be in one of
# them (or a subdomain). Empty: any domain.
INVITE_ALLOWED_EMAIL_DOMAINS = [d.lower().lstrip("@.") for d in env_list("INVITE_ALLOWED_EMAIL_DOMAINS", [])]
PASSWORD_RESET_TIMEOUT = env_int("INVITATION_VALID_HOURS", 72, minimum=1) * 3600
# Failed sign-ins are archived; this many within this many minutes on an account with a privileged role
# e-mail compliance officers, once per window (advocacy/accounts/sign_in_failures.py).
SIGN_IN_ALERT_FAILURES = env_int("SIGN_IN_ALERT_FAILURES", 5, minimum=1)
SIGN_IN_ALERT_WINDOW_MINUTES = env_int("SIGN_IN_ALERT_WINDOW_MINUTES", 15, minimum=1)

# Corporate SSO through allauth's OpenID Connect provider, off unless OIDC_SERVER_URL is set.
# The corporate identity provider is the authority on staff e-mail addresses: an identity it vouches for
# signs in the existing account with that (verified) address and is connected to it for next time. Only
# this app authenticates by e-mail (per-app "email_authentication"), never the X connection. SSO goes
# through the same login stages as a password (inactive accounts refused, TOTP asked for when enrolled)
# and the MFA enrolment gate; an unknown identity gets the closed-signup page.
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False  # X tokens are stored encrypted by advocacy.networks.x, not by allauth
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "corporate",
                "name": env_str("OIDC_NAME", "Corporate sign-in"),
                "client_id": env_str("OIDC_CLIENT_ID", required=True),
                "secret": env_str("OIDC_CLIENT_SECRET", required=True),
                "settings": {
                    "server_url": OIDC_SERVER_URL,
                    "fetch_userinfo": True,
                    "verified_email": True,
                    "email_authentication": True,
                },
            }
        ],
    }
X_API_BASE_URL = env_str("X_API_BASE_URL", "https://api.x.com").rstrip("/")
X_AUTHORIZE_URL = env_str("X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")
X_CLIENT_ID = env_str("X_CLIENT_ID", "")
X_CLIENT_SECRET = env_str("X_CLIENT_SECRET", "")
X_TIMEOUT_SECONDS = env_int("X_TIMEOUT_SECONDS", 10, minimum=1)
# The X app's consumer secret (API secret key): X signs webhook deliveries and CRC challenges with it
# (advocacy/networks/x/webhooks.py). Never logged.
X_CONSUMER_SECRET = env_str("X_CONSUMER_SECRET", "")
# The webhook (POST /2/webhooks) that X Activity API subscriptions deliver to; empty: no push, polling only.
X_WEBHOOK_ID = env_str("X_WEBHOOK_ID", "")
# The app-only bearer token: removes an adviser's subscriptions after they disconnect, when their own token
# is already revoked. Never logged.
X_APP_BEARER_TOKEN = env_str("X_APP_BEARER_TOKEN", "")
# X's pay-per-use prices, in US dollars per resource read or per request written: data, not code (X changes
# them). Source: xdevplatform/docs, x-api/getting-started/pricing.mdx ("Credit consumption details", 2026):
# Posts: Read $0.005, User: Read $0.010, Following/Followers: Read $0.010, Like: Read $0.001, Post: Create
# $0.015, Post: Create (with URL) $0.200, Interaction: Delete $0.010; activity events are billed as the
# resource they carry (follow.follow $0.010). Subscription management is not a billed resource.
X_PRICES = {
    "post_read": "0.005",
    "user_read": "0.010",
    "follower_read": "0.010",
    "like_read": "0.001",
    "post_create": "0.015",
    "post_create_with_url": "0.200",
    "post_delete": "0.010",
    "subscription_manage": "0",
}
_x_prices_override = env_str("X_PRICES", "")  # "post_read=0.006,user_read=0.011"
for _pair in [_p for _p in _x_prices_override.split(",") if _p.strip()]:
    _kind, _sep, _price = _pair.partition("=")
    try:
        Decimal(_price.strip())
    except ArithmeticError:
        raise ImproperlyConfigured(f"X_PRICES: {_pair!r} is not kind=price") from None
    if _kind.strip() not in X_PRICES:
        raise ImproperlyConfigured(f"X_PRICES: unknown kind {_kind.strip()!r} (known: {', '.join(X_PRICES)})")
    X_PRICES[_kind.strip()] = _price.strip()
try:
    X_MONTHLY_BUDGET = Decimal(env_str("X_MONTHLY_BUDGET", "200"))  # US dollars a month, for the bank
except ArithmeticError:
    raise ImproperlyConfigured("X_MONTHLY_BUDGET must be a number of US dollars") from None
# Clients (issue 14): the consent wording clients agree to, how often a resolved handle is looked up again,
# and how long a client with no interaction is kept before purge_clients erases them.
CLIENT_CONSENT_WORDING_VERSION = env_str("CLIENT_CONSENT_WORDING_VERSION", "2026-12")
CLIENT_HANDLE_RERESOLVE_DAYS = env_int("CLIENT_HANDLE_RERESOLVE_DAYS", 30, minimum=1)
CLIENT_RETENTION_YEARS = env_int("CLIENT_RETENTION_YEARS", 5, minimum=1)
if X_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["twitter_oauth2"] = {
        "OAUTH_PKCE_ENABLED": True,
        # like.read: who liked the adviser's posts (GET /2/tweets/:id/liking_users, issue 14).
        "SCOPE": ["tweet.read", "tweet.write", "users.read", "follows.read", "like.read", "offline.access"],
        "APPS": [{"client_id": X_CLIENT_ID, "secret": X_CLIENT_SECRET, "key": ""}],
    }
# Key that encrypts network tokens at rest (Fernet, urlsafe base64 32 bytes). Comma-separated: the
# first encrypts, all decrypt, so a key can be rotated (README, "Rotating the token key").
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS", [])

# Domains advisers' posts may link to (plus those compliance adds in the portal).
LINK_ALLOWED_DOMAINS = env_list("LINK_ALLOWED_DOMAINS", [])
# The longest value that may fill a template slot ({first_name}, {branch_city}): a first name or a city longer
# than this is refused at import (advocacy/content/validation.py, validate_slot_value).
SLOT_VALUE_MAX_LENGTH = env_int("SLOT_VALUE_MAX_LENGTH", 50, minimum=10)

# --- Sessions and security ---------------------------------------------------------------------------
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# The expiry is pushed back by the requests themselves, at most once a minute (not on every request, which
# would write the session row on every page): advocacy.accounts.middleware.RefreshIdleSessionMiddleware.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_secure_default = not (DEBUG or TESTING)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _secure_default)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure_default)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure_default else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Content-Security-Policy for every page (django-csp): scripts and styles only from our own static files
# (htmx is vendored; no inline script, style or event handler: tests/portal/test_security_headers.py).
# Forms post to the portal itself, except that connecting X and corporate SSO answer a form with a redirect to
# their own sign-in page, which form-action must allow too.
_form_targets = sorted(
    {f"{u.scheme}://{u.netloc}" for u in map(urlsplit, [X_AUTHORIZE_URL, OIDC_SERVER_URL or ""]) if u.netloc}
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *_form_targets],
    }
}
# Browser features no page uses (advocacy/portal/headers.py). WebAuthn (publickey-credentials-*) keeps its
# default, this origin only.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
                    "payment", "usb", "browsing-topics")
}

# --- Internationalisation ----------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r} is not one of fr, en.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not (DEBUG or TESTING))
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ------------------------------------------------------------------------------------------
globals().update(parse_email_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Relais <relais@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------------------------------
# Without REDIS_URL the demo uses kombu's filesystem transport: no broker to install for a first run.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "failed_folder": str(VAR_DIR / "broker-failed"),
        "store_processed": False,
    }
)
if not REDIS_URL:
    # kombu's filesystem transport, except that a message file that does not decode is moved to
    # broker-failed and logged instead of stopping the worker (advocacy/broker.py).
    CELERY_BROKER_TRANSPORT = "advocacy.broker:Transport"
    (VAR_DIR / "broker").mkdir(exist_ok=True)
    (VAR_DIR / "broker-processed").mkdir(exist_ok=True)
    (VAR_DIR / "broker-control").mkdir(exist_ok=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = "default"
# Tasks that must not be lost: acknowledge only after the task ran, requeue if the worker dies, and
# never let one worker hoard messages another could run. Our tasks are written to be re-run safely.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after EVERY task unless this is set: a
# new PostgreSQL connection per task (~12 ms on loopback, more over TLS). With it, a worker keeps its
# connection; advocacy/celery.py still runs close_old_connections() before each task, which honours
# CONN_MAX_AGE (DB_CONN_MAX_AGE) and drops a broken connection, as a web request would.
CELERY_DB_REUSE_MAX = 100_000
CELERY_TASK_ROUTES = {
    # The share engine, campaigns and tracked links share the "publishing" queue and its workers.
    "advocacy.shares.tasks.*": {"queue": "publishing"},
    "advocacy.campaigns.tasks.*": {"queue": "publishing"},
    "advocacy.links.tasks.*": {"queue": "publishing"},
    "advocacy.replies.tasks.*": {"queue": "publishing"},
    "*.tasks.poll_*": {"queue": "polling"},
    # Inbound capture: the webhook inbox is drained by the polling workers.
    "advocacy.relationships.tasks.ingest_*": {"queue": "polling"},
}
# Under the test runner tasks run inline unless a test starts a real worker (tests marked "services").
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "advocacy.portal.tasks.record_worker_heartbeat", "schedule": timedelta(seconds=30)},
}
WORKER_HEARTBEAT_STALE_SECONDS = env_int("WORKER_HEARTBEAT_STALE_SECONDS", 120, minimum=10)

# --- Regulatory archive (compliance/archive; docs/archive.md maps each figure to the rule it serves) -------
# A file (ideally on other storage) to which every checkpoint is also appended; unset: database only.
ARCHIVE_CHECKPOINT_FILE = env_str("ARCHIVE_CHECKPOINT_FILE")
# Years each event class is kept before the retention purge may delete it. The longest matching prefix of
# the event type wins ("share.published", then "share"), else "default". Override, e.g.
# ARCHIVE_RETENTION_YEARS="default=7,auth=5".
ARCHIVE_RETENTION_YEARS = {"default": 7, "content": 7, "review": 7, "share": 7, "inbound": 7, "staff": 7,
                           "archive": 7, "auth": 5}
for _item in env_list("ARCHIVE_RETENTION_YEARS", []):
    _class, _, _years = _item.partition("=")
    if not _class.strip() or not _years.strip().isdigit() or int(_years) < 1:
        raise ImproperlyConfigured(f"ARCHIVE_RETENTION_YEARS: {_item!r} is not class=years (years >= 1).")
    ARCHIVE_RETENTION_YEARS[_class.strip()] = int(_years)
CELERY_BEAT_SCHEDULE |= {
    "archive-daily-checkpoint": {"task": "compliance.archive.tasks.write_daily_checkpoint",
                                 "schedule": crontab(hour=0, minute=5)},
    "archive-nightly-verification": {"task": "compliance.archive.web.tasks.verify_archive_nightly",
                                     "schedule": crontab(hour=2, minute=30)},
}

# --- Logging -----------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Publishing to X (advocacy.networks.x, advocacy.shares) -------------------------------------------
# Refresh the access token when it expires within this many seconds (X's live about 2 hours).
X_REFRESH_MARGIN_SECONDS = env_int("X_REFRESH_MARGIN_SECONDS", 300, minimum=0)
# Link to a live post; the demo points it at the sandbox's timeline page.
X_POST_URL_TEMPLATE = env_url_template(
    "X_POST_URL_TEMPLATE", "https://x.com/{username}/status/{id}", fields=frozenset({"username", "id"})
)
# Publishing engine: bounded exponential backoff with jitter on X 5xx / unreachable, then "failed".
X_RETRY_BASE_SECONDS = env_int("X_RETRY_BASE_SECONDS", 30, minimum=0)
X_RETRY_MAX_SECONDS = env_int("X_RETRY_MAX_SECONDS", 1800, minimum=0)
X_PUBLISH_MAX_ATTEMPTS = env_int("X_PUBLISH_MAX_ATTEMPTS", 8, minimum=1)
# A share claimed longer ago than this is presumed abandoned by a dead worker (then looked up, never resent).
X_PUBLISH_CLAIM_STALE_SECONDS = env_int("X_PUBLISH_CLAIM_STALE_SECONDS", 120, minimum=10)
# After a timeout, wait this long before looking for the post on the account (X may be slow to list it).
X_UNKNOWN_RECHECK_SECONDS = env_int("X_UNKNOWN_RECHECK_SECONDS", 20, minimum=0)
# After this many unknown outcomes (a lost answer, a failed look at the account), a share is escalated to
# compliance as "possibly live, not confirmed" (and the adviser told) instead of being looked up forever.
X_UNKNOWN_MAX_ATTEMPTS = env_int("X_UNKNOWN_MAX_ATTEMPTS", 6, minimum=1)
# How far ahead an adviser (or a campaign) may schedule a share: further out, the text and the rules it was
# approved under are likely to have changed, so the schedule is refused with this reason.
SHARE_SCHEDULE_HORIZON_DAYS = env_int("SHARE_SCHEDULE_HORIZON_DAYS", 90, minimum=1)
# tweepy logs request headers (the bearer token) at DEBUG: never let that reach a handler.
LOGGING["loggers"]["tweepy"] = {"level": "INFO"}
CELERY_BEAT_SCHEDULE.update({
    "publish-due-shares": {"task": "advocacy.shares.tasks.publish_due_shares",
                           "schedule": timedelta(seconds=30)},
    "record-link-clicks": {"task": "advocacy.links.tasks.flush_link_clicks",
                           "schedule": timedelta(seconds=10)},
})

# --- Content review (advocacy/content/workflow, compliance/review) ------------------------------------
# Categories whose content needs two distinct compliance approvers (comma-separated category values).
REVIEW_TWO_APPROVER_CATEGORIES = env_list("REVIEW_TWO_APPROVER_CATEGORIES", ["product"])
# How long a submission may wait for a decision before the queue and the digest flag it.
REVIEW_AGE_TARGET_HOURS = env_int("REVIEW_AGE_TARGET_HOURS", 24, minimum=1)
# --- Event tables at bank scale (advocacy/rollups, docs/scale.md) -------------------------------------
# Monthly partitions of link clicks and metric snapshots (PostgreSQL) are created this many months ahead.
PARTITION_MONTHS_AHEAD = env_int("PARTITION_MONTHS_AHEAD", 3, minimum=1)
# How long after an event's time it may still reach its table (a click: up to a second in the web process,
# then up to 10 s in Redis before the flush; a metric read: stamped when X answered). A roll-up counts only
# events older than this (RollupRun.through), so what it skipped is still read by the dashboards as events.
ROLLUP_SETTLE_SECONDS = env_int("ROLLUP_SETTLE_SECONDS", 120, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "rollups-recent-days": {"task": "advocacy.rollups.tasks.rollup_recent_days",
                            "schedule": timedelta(minutes=10)},
    "rollups-ensure-partitions": {"task": "advocacy.rollups.tasks.ensure_partitions",
                                  "schedule": crontab(hour=1, minute=10)},
}
# --- Weekly digest (advocacy/digest): Monday 06:00 UTC, the week before; each person may opt out. -----
CELERY_BEAT_SCHEDULE |= {
    "digest-weekly": {"task": "advocacy.digest.tasks.send_weekly_digests",
                      "schedule": crontab(day_of_week="mon", hour=6, minute=0)},
}
CELERY_BEAT_SCHEDULE |= {
    "content-expire-due-items": {"task": "advocacy.content.tasks.expire_due_items",
                                 "schedule": timedelta(minutes=1)},
    "content-submission-digest": {"task": "advocacy.content.tasks.send_submission_digest",
                                  "schedule": timedelta(minutes=15)},
}
CELERY_BEAT_SCHEDULE |= {
    "clients-resolve-handles": {"task": "advocacy.clients.tasks.poll_client_handles",
                                "schedule": timedelta(minutes=10)},
    "clients-retention-purge": {"task": "advocacy.clients.tasks.purge_clients",
                                "schedule": crontab(hour=3, minute=40)},
}
# Inbound capture by polling (issue 14): the webhook is the main path; a round catches up what it missed.
INBOUND_POLL_MINUTES = env_int("INBOUND_POLL_MINUTES", 5, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "relationships-poll-inbound": {"task": "advocacy.relationships.tasks.poll_inbound",
                                   "schedule": timedelta(minutes=INBOUND_POLL_MINUTES)},
}
# Followers are read whole every N days (once a UTC day at most) and diffed; likes and reposts are read once a
# UTC day for the posts published in the last N days (every read is billed; relationships/polling.py).
RELATIONSHIPS_FOLLOWERS_EVERY_DAYS = env_int("RELATIONSHIPS_FOLLOWERS_EVERY_DAYS", 1, minimum=1)
RELATIONSHIPS_ENGAGEMENT_DAYS = env_int("RELATIONSHIPS_ENGAGEMENT_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "relationships-weekly-signals": {"task": "advocacy.relationships.tasks.weekly_signals",
                                     "schedule": crontab(day_of_week="mon", hour=5, minute=30)},
}

# --- Post metrics (advocacy/metrics, issue 16) ----------------------------------------------------------
# When each published post's public counts are read: "until_age=every" tiers that thin out as the post ages
# (advocacy/metrics/schedule.py); the read at the last tier's end is the last. Never twice in a UTC day.
from advocacy.metrics.schedule import parse as _parse_metrics_schedule  # noqa: E402 - data, not an app

try:
    POST_METRICS_SCHEDULE = _parse_metrics_schedule(env_str("POST_METRICS_SCHEDULE", "1d=1h,7d=6h,30d=1d"))
except ValueError as _exc:
    raise ImproperlyConfigured(f"POST_METRICS_SCHEDULE: {_exc}") from None
POST_METRICS_POLL_MINUTES = env_int("POST_METRICS_POLL_MINUTES", 15, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "metrics-poll-posts": {"task": "advocacy.metrics.tasks.poll_post_metrics",
                           "schedule": timedelta(minutes=POST_METRICS_POLL_MINUTES)},
}

# --- Dashboards (advocacy/dashboards, issue 16) ---------------------------------------------------------
# "Earned media value" is shown only when the bank sets its own prices, always as an estimate with its
# formula (impressions / 1000 x CPM + link clicks x CPC); unset: never shown (no default multiplier).
def _price_or_none(name: str) -> Decimal | None:
    value = (env_str(name, "") or "").strip()
    if not value:
        return None
    try:
        price = Decimal(value)
    except ArithmeticError:
        raise ImproperlyConfigured(f"{name} must be a number (a price in EARNED_MEDIA_CURRENCY)") from None
    if price < 0:
        raise ImproperlyConfigured(f"{name} must not be negative")
    return price


EARNED_MEDIA_CPM = _price_or_none("EARNED_MEDIA_CPM")
EARNED_MEDIA_CPC = _price_or_none("EARNED_MEDIA_CPC")
EARNED_MEDIA_CURRENCY = env_str("EARNED_MEDIA_CURRENCY", "EUR")

# --- Replies from Relais and their supervision (advocacy/replies, compliance/supervision) ----------------
# The share of each adviser's sent replies that enters compliance's supervision queue (FINRA Notice 17-18),
# unless compliance set that adviser's own rate; a reply that raises a lexicon flag always enters.
SUPERVISION_SAMPLE_PERCENT = env_int("SUPERVISION_SAMPLE_PERCENT", 10, minimum=0)
if SUPERVISION_SAMPLE_PERCENT > 100:
    raise ImproperlyConfigured("SUPERVISION_SAMPLE_PERCENT is a percentage: 0 to 100.")
CELERY_BEAT_SCHEDULE |= {
    "replies-send-due": {
        "task": "advocacy.replies.tasks.send_due_replies", "schedule": timedelta(seconds=30)
    },
    "supervision-sweep": {"task": "compliance.supervision.tasks.sweep_unsupervised",
                          "schedule": timedelta(minutes=5)},
}
# The ATS inbox (advocacy/recruitment): each delivery queues a drain; this one takes a delivery whose drain
# could not be queued (the broker was down) or that arrived just as the last drain ended.
CELERY_BEAT_SCHEDULE |= {
    "recruitment-drain-ats-deliveries": {"task": "advocacy.recruitment.tasks.drain_ats_deliveries",
                                         "schedule": timedelta(minutes=1)},
}
# Applied deliveries are kept this many days, so that an ATS's retry or replay of the same body is
# recognised and stored once; then a daily task deletes them (the applications and the archive keep what
# they said; deliveries set aside or waiting are kept).
ATS_INBOX_RETENTION_DAYS = env_int("ATS_INBOX_RETENTION_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "recruitment-purge-ats-inbox": {"task": "advocacy.recruitment.tasks.purge_ats_inbox",
                                    "schedule": crontab(hour=3, minute=20)},
}

# --- Recruitment reach (advocacy/audience, advocacy/reach, issue 15) --------------------------------------
# Follower ids are hashed with this key before they enter a HyperLogLog sketch (default: derived from
# SECRET_KEY); changing it rebuilds every sketch.
AUDIENCE_HASH_KEY = env_str("AUDIENCE_HASH_KEY") or __import__("hashlib").sha256(
    b"relais.audience.hash-key:" + SECRET_KEY.encode()
).hexdigest()
# Up to this raw sum of followers a job offer's audience is counted exactly (a union of follower ids);
# beyond, it is a HyperLogLog estimate shown with its error.
AUDIENCE_EXACT_MAX_FOLLOWERS = env_int("AUDIENCE_EXACT_MAX_FOLLOWERS", 200_000, minimum=0)
# A group (branch, region, team) with fewer applications or hires than this is shown as "fewer than N".
REACH_MIN_GROUP = env_int("REACH_MIN_GROUP", 5, minimum=1)
CELERY_BEAT_SCHEDULE |= {
    "audience-refresh-sketches": {"task": "advocacy.audience.tasks.refresh_sketches",
                                  "schedule": timedelta(minutes=30)},
}
