"""Compliance starts a verification from the archive page, follows its progress and reads the runs so far."""

import re

import pytest
from django.core import mail

from compliance.archive.models import ArchiveRecord, ArchiveVerification
from compliance.archive.services import record
from compliance.archive.verify import verify_database
from compliance.archive.web.tasks import verify_archive_nightly, verify_archive_now

START = "/compliance/archive/verifications/"


@pytest.fixture
def chain(db):
    for i in range(5):
        record("test.event", payload={"i": i})


def test_an_officer_starts_a_verification_and_reads_its_outcome_and_the_history(
    chain, compliance_officer, client_for, django_capture_on_commit_callbacks
):
    verify_archive_nightly()
    client = client_for(compliance_officer)
    assert b'action="/compliance/archive/verifications/"' in client.get("/compliance/archive/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START)
    run = ArchiveVerification.objects.get(trigger="portal")
    assert response.status_code == 302 and response.url == f"{START}{run.pk}/"
    assert run.ok and run.records_checked >= 6 and run.requested_by_email == compliance_officer.email
    archived = ArchiveRecord.objects.order_by("-seq").first()
    assert archived.event_type == "archive.verified" and archived.actor_id == compliance_officer.pk
    assert archived.payload["trigger"] == "portal"
    page = client.get(response.url).content.decode()
    assert "The chain is intact" in page and "hx-get" not in page and 'http-equiv="refresh"' not in page
    history = client.get(START).content.decode()
    assert "Nightly run" in history and "Started in the portal" in history
    assert len(re.findall(rf'href="{START}\d+/"', history)) == 2


def test_a_run_waiting_for_a_worker_shows_its_progress_and_updates_itself_with_or_without_javascript(
    chain, compliance_officer, client_for
):
    client = client_for(compliance_officer)
    client.post(START)  # not committed in this test's transaction: no worker has it yet
    run = ArchiveVerification.objects.get()
    total = ArchiveRecord.objects.count()
    assert run.in_progress and run.records_expected == total
    page = client.get(f"{START}{run.pk}/").content.decode()
    assert "Waiting for a worker" in page and "<progress" in page
    assert '<noscript><meta http-equiv="refresh"' in page and f'hx-get="{START}{run.pk}/"' in page
    # A second click while it runs does not start a second read of the whole archive.
    again = client.post(START)
    assert again.url == f"{START}{run.pk}/" and ArchiveVerification.objects.count() == 1
    # The banner and the archive page read the latest *finished* run, not this one.
    assert b"Not verified yet" in client.get("/compliance/archive/").content
    ArchiveVerification.objects.filter(pk=run.pk).update(trigger="portal", records_checked=total // 2)
    fragment = client.get(f"{START}{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f"{total // 2} of {total} records checked" in fragment and "<html" not in fragment
    assert f'value="{total // 2 * 100 // total}"' in fragment


def test_a_failed_portal_run_says_where_the_chain_breaks_and_mails_the_people_who_act(
    chain, tamper, compliance_officer, administrator, client_for, django_capture_on_commit_callbacks
):
    tamper("UPDATE archive_archiverecord SET payload_json = '{\"i\":99}' WHERE seq = 3")
    client = client_for(compliance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START)
    page = client.get(response.url).content.decode()
    assert "The chain is broken at sequence number 3" in page and "payload_changed" in page
    assert set(mail.outbox[0].to) == {administrator.email, compliance_officer.email}


def test_a_run_delivered_twice_reads_the_archive_once(chain, compliance_officer, client_for):
    client_for(compliance_officer).post(START)
    run = ArchiveVerification.objects.get()
    verify_archive_now(run.pk)
    verify_archive_now(run.pk)
    assert ArchiveRecord.objects.filter(event_type="archive.verified").count() == 1


def test_the_verifier_reports_its_progress_once_a_chunk(chain):
    seen = []
    result = verify_database(chunk_size=2, progress=seen.append)
    assert result.ok and seen == [2, 4]


def test_advisers_cannot_start_or_read_verifications(chain, adviser, client_for):
    client = client_for(adviser)
    assert client.post(START).status_code == 403
    assert client.get(START).status_code == 403
    assert not ArchiveVerification.objects.exists()
