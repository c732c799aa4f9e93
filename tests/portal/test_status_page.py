"""The administrators' status page: what /health/ probes, plus X and the archive, in plain words."""

import pytest

from advocacy.portal.navigation import menu_for
from advocacy.xsandbox import SandboxServer
from compliance.archive.services import record
from compliance.archive.web.tasks import verify_archive_nightly


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
