"""The retention purge: only expired records, never under legal hold, the chain still verifiable after."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from compliance.archive.legal_holds import place_legal_hold, release_legal_hold
from compliance.archive.models import ArchivePurgedRange, ArchiveRecord
from compliance.archive.retention import purge_expired_records, retention_years
from compliance.archive.services import record
from compliance.archive.verify import verify_database

IN_SIX_YEARS = timedelta(days=6 * 366)
# A valid auth.signed_in payload (compliance/archive/events.py).
SIGNED_IN = {"roles": ["admin"], "method": "password"}


@pytest.fixture
def mixed(adviser, adviser2):
    """Sign-ins (kept 5 years) interleaved with other records (kept 7 years, the default)."""
    for i in range(3):
        record("auth.signed_in", actor=adviser, payload={**SIGNED_IN, "user_agent": f"#{i}"})
        record("auth.signed_in", actor=adviser2, payload={**SIGNED_IN, "user_agent": f"#{i}"})
        record("test.published", actor=adviser, payload={"network_post_id": str(i), "text": "t"})


def test_each_event_class_has_its_retention_period_with_a_default(settings):
    settings.ARCHIVE_RETENTION_YEARS = {"default": 7, "auth": 5, "share.deleted": 10}
    assert retention_years("auth.signed_in") == 5
    assert retention_years("share.deleted") == 10
    assert retention_years("share.published") == 7


def test_expired_records_are_purged_and_the_chain_verifies_across_the_holes(mixed):
    before = ArchiveRecord.objects.count()
    report = purge_expired_records(now=timezone.now() + IN_SIX_YEARS)
    assert report.purged == 6
    assert not ArchiveRecord.objects.filter(event_type="auth.signed_in").exists()
    assert ArchiveRecord.objects.filter(event_type="test.published").count() == 3
    purged_run = ArchiveRecord.objects.order_by("-seq").first()
    assert purged_run.event_type == "archive.purged"
    assert purged_run.payload["records"] == 6
    assert ArchiveRecord.objects.count() == before - 6 + 1
    result = verify_database()
    assert result.ok, result.problem
    assert result.purged_ranges_crossed == ArchivePurgedRange.objects.count() == 3


def test_nothing_is_purged_before_its_retention_period(mixed):
    assert purge_expired_records(now=timezone.now() + timedelta(days=4 * 365)).purged == 0


def test_a_legal_hold_on_an_adviser_keeps_their_records_until_it_is_released(
    mixed, adviser, compliance_officer
):
    hold = place_legal_hold(actor=compliance_officer, user=adviser, reason="Complaint 2026-17")
    report = purge_expired_records(now=timezone.now() + IN_SIX_YEARS)
    assert report.purged == 3 and report.held == 3
    assert ArchiveRecord.objects.filter(event_type="auth.signed_in", actor_id=adviser.pk).count() == 3
    assert verify_database().ok
    assert release_legal_hold(hold_id=hold.pk, actor=compliance_officer)
    assert not release_legal_hold(hold_id=hold.pk, actor=compliance_officer)
    assert purge_expired_records(now=timezone.now() + IN_SIX_YEARS).purged == 3
    assert verify_database().ok


def test_a_legal_hold_on_a_subject_reference_keeps_the_records_about_it(db, compliance_officer):
    record("auth.signed_in", subject="content.contentitem:42", payload=SIGNED_IN)
    record("auth.signed_in", subject="content.contentitem:43", payload=SIGNED_IN)
    place_legal_hold(actor=compliance_officer, subject_ref="content.contentitem:42", reason="Examination")
    purge_expired_records(now=timezone.now() + IN_SIX_YEARS)
    assert list(
        ArchiveRecord.objects.filter(event_type="auth.signed_in").values_list("subject_ref", flat=True)
    ) == ["content.contentitem:42"]


def test_after_a_purge_the_archive_is_protected_again(mixed):
    purge_expired_records(now=timezone.now() + IN_SIX_YEARS)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM archive_archiverecord")


def test_deleting_a_record_next_to_a_purged_hole_is_still_detected(mixed, tamper):
    purge_expired_records(now=timezone.now() + IN_SIX_YEARS)
    anchor = ArchivePurgedRange.objects.order_by("first_seq").last()
    tamper("DELETE FROM archive_archiverecord WHERE seq = %s", [anchor.last_seq + 1])
    problem = verify_database().problem
    assert (problem.seq, problem.kind) == (anchor.last_seq + 1, "gap")


def test_a_dry_run_deletes_nothing(mixed):
    before = ArchiveRecord.objects.count()
    assert purge_expired_records(now=timezone.now() + IN_SIX_YEARS, dry_run=True).purged == 6
    assert ArchiveRecord.objects.count() == before


def test_the_purge_command_needs_both_flags(mixed):
    with pytest.raises(CommandError, match="Refusing"):
        call_command("purge_archive", "--before-retention")
    with pytest.raises(CommandError, match="Refusing"):
        call_command("purge_archive", "--i-understand-this-deletes-records")
    call_command("purge_archive", "--before-retention", "--i-understand-this-deletes-records")
    run = ArchiveRecord.objects.get(event_type="archive.purged")  # every run is archived, even an empty one
    assert run.payload["records"] == 0
