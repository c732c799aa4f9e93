"""The demo seed: X app configured, first demo adviser connected to the sandbox."""

from __future__ import annotations

import pytest

from advocacy.networks.x.demo import seed_publishing
from advocacy.networks.x.models import XAccount

pytestmark = pytest.mark.django_db


def test_seed_publishing_connects_the_first_demo_adviser_and_is_idempotent(sandbox, make_staff):
    user = make_staff("adviser", email="adviser@demo.relais.test")
    assert seed_publishing() == {"x_app": "settings", "connected": 1}
    assert seed_publishing()["connected"] == 0
    assert XAccount.objects.get(user=user).username == "camille_martin"


def test_without_settings_the_seed_creates_the_sandbox_app(settings):
    from allauth.socialaccount.models import SocialApp

    settings.SOCIALACCOUNT_PROVIDERS = {}
    settings.X_API_BASE_URL = "https://api.x.com"
    assert seed_publishing()["x_app"] == "created"
    assert SocialApp.objects.get(provider="twitter_oauth2").client_id == "relais-sandbox-client"
