"""Personas shared by every test: one bank, two regions, four branches, and a person per role.

Privileged personas (compliance, admin) are enrolled in TOTP, as they must be to use the portal; tests of
the enrolment gate create their own unenrolled user.
"""

from __future__ import annotations

import itertools

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from advocacy.org.models import Bank, Branch, ManagedRegion, Region, Role
from advocacy.org.policies import privileged_roles
from advocacy.org.privileges import bootstrap_grant
from advocacy.org.services import StaffData, upsert_staff
from compliance.archive.events import allow_freeform_prefix

# The archive's chain-mechanics tests append events of their own ("test.…"); product events are declared.
allow_freeform_prefix("test.")

PASSWORD = "correct-horse-battery-9"


def clear_of_totp_period_end(margin: float = 4.0, period: int = 30) -> None:
    """Wait for the next TOTP period when this one ends within ``margin`` seconds: a code typed at the very
    end of its period reaches the server in the next one, which refuses it (no tolerance). Under CI load
    that made privileged sign-ins fail now and then."""
    import time

    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.2)
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_defaults(settings):
    """Fast hashing, in-memory mail, no click buffered by an earlier test, an empty cache, and English unless
    a test asks for French: assertions read the English source strings, while the French catalogue is
    checked by its own tests and the browser tests."""
    from django.core.cache import cache
    from django.utils import translation

    from advocacy.links import clicks

    clicks.discard_buffered()  # no click left over from another test
    # Nothing cached by another test: its rows were rolled back, and their ids are reused (the campaign
    # highlights are cached per place, keyed by branch and region ids).
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    bank = Bank.objects.create(name="Banque Test")
    north = Region.objects.create(bank=bank, code="N", name="Nord")
    south = Region.objects.create(bank=bank, code="S", name="Sud")
    return {
        "bank": bank,
        "north": north,
        "south": south,
        "lille": Branch.objects.create(region=north, code="LIL01", name="Lille Centre", city="Lille"),
        "arras": Branch.objects.create(region=north, code="ARR01", name="Arras Gare", city="Arras"),
        "nice": Branch.objects.create(region=south, code="NIC01", name="Nice Port", city="Nice"),
        "toulon": Branch.objects.create(region=south, code="TLN01", name="Toulon Mer", city="Toulon"),
    }


@pytest.fixture
def make_staff(org):
    """Create a member of staff with a usable password; privileged roles get TOTP unless told not to."""

    def make(
        *roles: str,
        branch: str | None = "lille",
        first_name="Alex",
        last_name=None,
        email=None,
        language="en",
        enrol_mfa: bool = True,
        managed_region: str | None = None,
    ):
        n = next(_ids)
        # Privileged roles are never given by upsert_staff: fixtures take the command line's bootstrap path.
        privileged = set(roles) & privileged_roles()
        profile, _ = upsert_staff(
            data=StaffData(
                employee_id=f"T{n:05d}",
                email=email or f"person{n}@bank.test",
                first_name=first_name,
                last_name=last_name or f"Person{n}",
                branch=org[branch] if branch else None,
                roles=frozenset(set(roles) - privileged),
                language=language,
            )
        )
        for role in sorted(privileged):
            bootstrap_grant(profile=profile, role=role, process="test fixture")
        user = profile.user
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        if managed_region:
            ManagedRegion.objects.create(profile=profile, region=org[managed_region])
        if enrol_mfa and set(roles) & {Role.COMPLIANCE, Role.ADMIN}:
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            user.totp_secret = secret
        return user

    return make


@pytest.fixture
def adviser(make_staff):
    return make_staff(Role.ADVISER, branch="lille", first_name="Camille")


@pytest.fixture
def adviser2(make_staff):
    return make_staff(Role.ADVISER, branch="nice", first_name="Hugo")


@pytest.fixture
def branch_manager(make_staff):
    return make_staff(Role.BRANCH_MANAGER, branch="lille", first_name="Claire")


@pytest.fixture
def regional_manager(make_staff):
    return make_staff(Role.REGIONAL_MANAGER, branch="nice", managed_region="south", first_name="Marc")


@pytest.fixture
def compliance_officer(make_staff):
    return make_staff(Role.COMPLIANCE, branch=None, first_name="Sophie")


@pytest.fixture
def compliance_officer2(make_staff):
    return make_staff(Role.COMPLIANCE, branch=None, first_name="James", language="en")


@pytest.fixture
def marketer(make_staff):
    return make_staff(Role.MARKETING, branch=None, first_name="Léa")


@pytest.fixture
def hr(make_staff):
    return make_staff(Role.HR, branch=None, first_name="Nadia")


@pytest.fixture
def administrator(make_staff):
    return make_staff(Role.ADMIN, branch=None, first_name="Thomas")


@pytest.fixture
def personas(
    adviser, adviser2, branch_manager, regional_manager, compliance_officer, marketer, hr, administrator
):
    """One signed-in-able person per role, keyed by role name (plus a second adviser)."""
    return {
        Role.ADVISER: adviser,
        "adviser2": adviser2,
        Role.BRANCH_MANAGER: branch_manager,
        Role.REGIONAL_MANAGER: regional_manager,
        Role.COMPLIANCE: compliance_officer,
        Role.MARKETING: marketer,
        Role.HR: hr,
        Role.ADMIN: administrator,
    }


@pytest.fixture
def client_for():
    """A test client signed in as the given user (session login, past the MFA stage)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


# --- Real services and the browser ----------------------------------------------------------------------
# Tests marked "services" need PostgreSQL, Redis and a real Celery worker; "browser" ones need Debian's
# Chromium. Locally they are skipped when those are absent; with RELAIS_REQUIRE_SERVICES=1 (CI) a missing
# service or browser FAILS the test instead, so CI can never pass by skipping them.
import os  # noqa: E402
import shutil  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _services_missing() -> str | None:
    from django.conf import settings as dj_settings

    if dj_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    if not dj_settings.REDIS_URL:
        return "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(dj_settings.REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis is unreachable at REDIS_URL ({type(exc).__name__})"
    return None


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def pytest_runtest_setup(item):
    required = os.environ.get("RELAIS_REQUIRE_SERVICES") == "1"
    for marker, probe in (("services", _services_missing), ("browser", _browser_missing)):
        if item.get_closest_marker(marker):
            missing = probe()
            if missing and required:
                pytest.fail(f"{marker} test cannot run: {missing} (RELAIS_REQUIRE_SERVICES=1)", pytrace=False)
            if missing:
                pytest.skip(f"{marker}: {missing}")


@pytest.fixture
def celery_worker_for_tests(transactional_db):
    """A real Celery worker (threads in this process) consuming from the real broker (Redis).

    Tasks sent with .delay() travel through Redis and run in the worker against the test database."""
    from celery.contrib.testing.worker import start_worker

    from advocacy.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            queues=["default", "publishing", "polling"],
            loglevel="WARNING",
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
