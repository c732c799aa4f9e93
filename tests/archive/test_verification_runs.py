"""The nightly verification: its result is kept, failures reach people by e-mail and by a banner."""

import pytest
from allauth.account.signals import user_logged_in
from django.core import mail
from django.test import RequestFactory

from compliance.archive.models import ArchiveCheckpoint, ArchiveRecord, ArchiveVerification
from compliance.archive.privacy import source_network
from compliance.archive.services import record
from compliance.archive.tasks import write_daily_checkpoint
from compliance.archive.web.tasks import verify_archive_nightly


@pytest.fixture
def chain(db):
    for i in range(5):
        record("test.event", payload={"i": i})


def test_a_clean_nightly_run_is_stored_and_sends_no_mail(chain, administrator, compliance_officer):
    verify_archive_nightly()
    latest = ArchiveVerification.objects.latest()
    assert latest.ok and latest.trigger == "nightly" and latest.records_checked >= 5
    assert mail.outbox == []
    assert ArchiveRecord.objects.order_by("-seq").first().event_type == "archive.verified"


def test_a_failed_run_mails_administrators_and_compliance_and_shows_them_the_banner(
    chain, tamper, administrator, compliance_officer, adviser, client_for
):
    tamper("UPDATE archive_archiverecord SET payload_json = '{\"i\":99}' WHERE seq = 3")
    verify_archive_nightly()
    latest = ArchiveVerification.objects.latest()
    assert (latest.ok, latest.first_bad_seq, latest.problem) == (False, 3, "payload_changed")
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {administrator.email, compliance_officer.email}
    assert "seq 3" in mail.outbox[0].body
    page = client_for(compliance_officer).get("/")
    assert b'class="banner"' in page.content
    assert b'class="banner"' not in client_for(adviser).get("/").content


def test_the_daily_checkpoint_task_copies_the_head(chain, settings, tmp_path):
    settings.ARCHIVE_CHECKPOINT_FILE = str(tmp_path / "anchors" / "checkpoints.jsonl")
    write_daily_checkpoint()
    checkpoint = ArchiveCheckpoint.objects.get()
    assert checkpoint.seq == ArchiveRecord.objects.order_by("-seq").first().seq
    assert checkpoint.hash in (tmp_path / "anchors" / "checkpoints.jsonl").read_text()


def test_privileged_sign_ins_are_archived_and_others_are_not(compliance_officer, adviser):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    user_logged_in.send(sender=type(compliance_officer), request=request, user=compliance_officer)
    user_logged_in.send(sender=type(adviser), request=request, user=adviser)
    signed_in = ArchiveRecord.objects.filter(event_type="auth.signed_in")
    assert list(signed_in.values_list("actor_id", flat=True)) == [compliance_officer.pk]
    payload = signed_in.get().payload
    # Where from, as a keyed hash of the /24: the same network reads the same, no address is kept.
    assert "ip" not in payload and "10.0.0" not in signed_in.get().payload_json
    assert payload["network"] == source_network("10.0.0.200") != source_network("10.0.1.7")
