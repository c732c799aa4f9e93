"""The administrators' status page: what /health/ probes, plus X and the archive, in plain words."""

import pytest

from advocacy.portal.navigation import menu_for
from advocacy.xsandbox import SandboxServer
from compliance.archive.services import record
from compliance.archive.web.tasks import verify_archive_nightly
from tests.networks.conftest import receiver  # noqa: F401 - fixture
from tests.publishing.conftest import connect  # noqa: F401 - fixture


@pytest.fixture
def sandbox(settings):
    server = SandboxServer("127.0.0.1", 0).start()
    settings.X_API_BASE_URL = server.url
    settings.X_TIMEOUT_SECONDS = 2
    try:
        yield server
    finally:
        server.stop()


def test_administrators_reach_the_status_page_from_their_menu_and_others_do_not(
    administrator, compliance_officer, client_for
):
    assert "/status/" in [link.url for link in menu_for(administrator)]
    assert "/status/" not in [link.url for link in menu_for(compliance_officer)]
    assert client_for(compliance_officer).get("/status/").status_code == 403


def test_the_status_page_says_each_check_in_plain_words(administrator, client_for, sandbox):
    record("test.event", payload={})
    verify_archive_nightly()
    page = client_for(administrator).get("/status/").content.decode()
    assert "The database answers." in page
    assert f"X answers at {sandbox.url}." in page
    assert "The chain was intact at the last verification" in page
    assert "No worker has been seen recently" in page  # no heartbeat in this test


def test_the_status_page_says_when_x_does_not_answer_and_the_archive_was_never_verified(
    administrator, client_for, settings, db
):
    settings.X_API_BASE_URL = "http://127.0.0.1:9"
    settings.X_TIMEOUT_SECONDS = 2
    page = client_for(administrator).get("/status/").content.decode()
    assert "X does not answer at http://127.0.0.1:9: posts cannot be sent." in page
    assert "The archive has never been verified" in page
    assert "Needs attention" in page


def test_the_status_page_says_when_deliveries_from_x_wait_for_a_worker(
    administrator, client_for, sandbox, receiver, client, adviser, connect, settings  # noqa: F811
):
    """A drain is queued already (one at a time), but no worker runs it: the delivery waits in the inbox."""
    import datetime as dt

    from django.core.cache import cache
    from django.urls import reverse
    from django.utils import timezone

    from advocacy.networks.x import webhooks
    from advocacy.networks.x.network import X
    from advocacy.relationships import inbox
    from advocacy.relationships.models import WebhookDelivery
    from tests.relationships.test_webhook_capture import _control, _register_webhook

    settings.X_WEBHOOK_ID = _register_webhook(sandbox, receiver.url)
    account = connect(adviser, "camille_x")
    X.subscribe_activity(account)
    cache.set(inbox._PENDING_KEY, 1)
    _control(sandbox, "mention", {"from": "client_marc", "to": "camille_x", "text": "@camille_x bonjour"})
    (body, signature), = receiver.wait_for(1)
    answer = client.post(
        reverse("relationships:x_webhook"), body, content_type="application/json",
        headers={webhooks.SIGNATURE_HEADER: signature},
    )  # fmt: skip
    assert answer.status_code == 200
    page = client_for(administrator).get("/status/").content.decode()
    assert "Deliveries from X are ingested as they arrive." in page

    WebhookDelivery.objects.update(received_at=timezone.now() - dt.timedelta(minutes=6))  # six minutes on
    page = client_for(administrator).get("/status/").content.decode()
    assert "1 delivery from X has waited over 5 minutes: are the polling workers running?" in page


def test_the_status_page_says_whether_the_dashboards_figures_are_rolled_up(
    administrator, client_for, monkeypatch, db
):
    """The dashboards read the daily roll-up and the events after its last run: beat stopped, they stay
    right but get slower, and the page says so (three runs of ten minutes missed)."""
    import datetime as dt

    from django.utils import timezone

    from advocacy.rollups import services

    client = client_for(administrator)
    assert "The daily figures have never been rolled up" in client.get("/status/").content.decode()

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - dt.timedelta(minutes=40))
    services.rollup_recent()  # beat's task, forty minutes ago
    monkeypatch.setattr(timezone, "now", real_now)
    page = client.get("/status/").content.decode()
    assert "The daily figures were last rolled up at" in page

    services.rollup_recent()
    page = client.get("/status/").content.decode()
    assert "The daily figures are rolled up every ten minutes (last at" in page
    assert "The daily figures were last rolled up at" not in page
