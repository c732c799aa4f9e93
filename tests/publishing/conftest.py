"""The X sandbox on a free loopback port, with settings pointing every X call at it.

Nothing of ours is mocked: tweepy and allauth talk HTTP to ``advocacy.xsandbox.SandboxServer``.
"""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from advocacy.networks.crypto import Secret
from advocacy.networks.x import client as xclient
from advocacy.networks.x.connections import connect_x_account
from advocacy.xsandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxServer


@pytest.fixture
def sandbox(settings):
    server = SandboxServer("127.0.0.1", 0).start()
    settings.X_API_BASE_URL = server.url
    settings.X_AUTHORIZE_URL = server.url + "/i/oauth2/authorize"
    # The connect form's redirect to the authorize page, as settings.py allows X_AUTHORIZE_URL's origin.
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"], "form-action": [*policy["DIRECTIVES"]["form-action"], server.url]}
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    settings.X_CLIENT_ID = DEFAULT_CLIENT_ID
    settings.X_CLIENT_SECRET = DEFAULT_CLIENT_SECRET
    settings.X_TIMEOUT_SECONDS = 2
    settings.X_POST_URL_TEMPLATE = server.url + "/timeline/{username}#{id}"
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "twitter_oauth2": {
            "OAUTH_PKCE_ENABLED": True,
            "SCOPE": [
                "tweet.read",
                "tweet.write",
                "users.read",
                "follows.read",
                "like.read",
                "offline.access",
            ],
            "APPS": [{"client_id": DEFAULT_CLIENT_ID, "secret": DEFAULT_CLIENT_SECRET, "key": ""}],
        },
    }
    try:
        yield server
    finally:
        server.stop()


def faults(sandbox, **switches) -> dict:
    """Set fault switches through the sandbox's HTTP control endpoint (as an operator would)."""
    response = requests.post(f"{sandbox.url}/_sandbox/faults", json=switches, timeout=5)
    response.raise_for_status()
    return response.json()


def sandbox_state(sandbox) -> dict:
    return requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()


def live_posts(sandbox, username: str | None = None) -> list[dict]:
    state = sandbox_state(sandbox)
    users = {u["id"]: u["username"] for u in state["users"]}
    return [
        t
        for t in state["tweets"]
        if not t["deleted"] and (username is None or users[t["author_id"]] == username)
    ]


@pytest.fixture
def connect(sandbox):
    """Connect a user to a (new) sandbox X account, as the OAuth flow would: real tokens from the sandbox."""

    def make(user, username: str, *, expires_in: int = 7200):
        x_user = sandbox.state.add_user(username)
        access, refresh = sandbox.state.issue_token(x_user["id"])
        tokens = xclient.TokenSet(
            Secret(access),
            Secret(refresh or ""),
            timezone.now() + dt.timedelta(seconds=expires_in),
            "tweet.read tweet.write users.read follows.read like.read offline.access",
        )
        return connect_x_account(
            user=user, x_user=xclient.XUser(x_user["id"], username, username), tokens=tokens
        )

    return make


@pytest.fixture
def make_item(marketer):
    """An approved library item (rows as CONTENT's workflow leaves them after approval)."""
    from advocacy.content import selectors as content_selectors
    from advocacy.content.models import ApprovedText, ContentItem, ContentVariant, ContentVersion

    def make(
        *,
        title="Livret Relais",
        text="Notre livret d'épargne est disponible en agence.",
        link="https://www.banque-test.fr/livret",
        variants=(),
        expires_at=None,
        category="market_news",
        label="#PUB",
        disclosure="",
    ):
        from advocacy.content.models import ComplianceSettings

        settings_row = ComplianceSettings.current()
        if "banque-test.fr" not in settings_row.allowed_domains:
            settings_row.allowed_domains = [*settings_row.allowed_domains, "banque-test.fr"]
            settings_row.save()
        item = ContentItem.objects.create(
            title=title,
            category=category,
            origin="library",
            author=marketer,
            status="approved",
            approved_at=timezone.now(),
            expires_at=expires_at,
        )
        version = ContentVersion.objects.create(
            item=item,
            number=1,
            text=text,
            link_url=link,
            created_by=marketer,
            status="approved",
            label=label,
            disclosure=disclosure,
        )
        for position, wording in enumerate(variants, start=1):
            ContentVariant.objects.create(version=version, position=position, text=wording)
        item.current_version = version
        item.save(update_fields=["current_version"])
        for publishable in content_selectors.publishable_texts(version):
            ApprovedText.objects.create(
                version=version,
                variant_id=publishable.variant_id,
                slots=publishable.slots,
                text=str.__str__(publishable),
                fingerprint=publishable.fingerprint,
            )
        return item

    return make


@pytest.fixture(autouse=True)
def _empty_click_buffer():
    """Clicks buffered in this process by an earlier test belong to rows that were rolled back."""
    from django.core.cache import cache

    from advocacy.links import clicks

    clicks._local.clear()
    cache.clear()
    yield
    clicks._local.clear()


@pytest.fixture
def worker_connections_closed(transactional_db):
    """Request it BEFORE ``celery_worker_for_tests``: once that worker has stopped, close the database
    connections its pool threads kept (workers keep their connection between tasks: settings
    ``CELERY_DB_REUSE_MAX``), so that the test database can be dropped at the end of the session."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
