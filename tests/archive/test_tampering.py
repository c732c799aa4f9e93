"""Someone with database access edits the archive behind the application's back: verification must say
where, and what changed."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compliance.archive.chain import canonical_record, payload_digest, record_hash
from compliance.archive.checkpoints import write_checkpoint
from compliance.archive.models import ArchiveRecord
from compliance.archive.services import record
from compliance.archive.verify import verify_database


@pytest.fixture
def chain(db):
    return [record("test.event", actor=None, payload={"n": i, "text": f"post {i}"}) for i in range(1, 11)]


def _problem():
    result = verify_database()
    assert not result.ok
    return result.problem


def test_an_intact_chain_verifies_and_the_command_exits_zero(chain, capsys):
    call_command("verify_archive")
    assert "OK: 10 records checked" in capsys.readouterr().out


def test_a_changed_payload_is_reported_at_its_sequence_number(chain, tamper):
    tamper("UPDATE archive_archiverecord SET payload_json = %s WHERE seq = 4", ['{"n":4,"text":"post 4!"}'])
    problem = _problem()
    assert (problem.seq, problem.kind) == (4, "payload_changed")


def test_a_deleted_record_is_reported_as_a_gap_at_its_sequence_number(chain, tamper):
    tamper("DELETE FROM archive_archiverecord WHERE seq = 6")
    problem = _problem()
    assert (problem.seq, problem.kind) == (6, "gap")


def test_deleting_the_last_records_is_caught_by_the_head_pointer(chain, tamper):
    tamper("DELETE FROM archive_archiverecord WHERE seq >= 9")
    problem = _problem()
    assert (problem.seq, problem.kind) == (9, "missing_tail")


def test_two_records_with_swapped_payloads_are_reported_at_the_first_of_them(chain, tamper):
    three, seven = (ArchiveRecord.objects.get(seq=s) for s in (3, 7))
    tamper("UPDATE archive_archiverecord SET payload_json = %s WHERE seq = 3", [seven.payload_json])
    tamper("UPDATE archive_archiverecord SET payload_json = %s WHERE seq = 7", [three.payload_json])
    problem = _problem()
    assert (problem.seq, problem.kind) == (3, "payload_changed")


def test_a_record_rewritten_with_a_recomputed_hash_is_caught_by_its_successor(chain, tamper):
    entry = ArchiveRecord.objects.get(seq=5)
    forged = '{"n":5,"text":"something else"}'
    ts = entry.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    new_hash = record_hash(
        entry.prev_hash, canonical_record(5, ts, entry.event_type, None, "", "", "", "", None, "", forged)
    )
    tamper(
        "UPDATE archive_archiverecord SET payload_json = %s, payload_sha256 = %s, hash = %s WHERE seq = 5",
        [forged, payload_digest(forged), new_hash],
    )
    problem = _problem()
    assert (problem.seq, problem.kind) == (5, "hash_rewritten")


def test_two_records_that_exchanged_places_are_reported_as_swapped(chain, tamper):
    tamper("UPDATE archive_archiverecord SET seq = -1 WHERE seq = 5")
    tamper("UPDATE archive_archiverecord SET seq = 5 WHERE seq = 6")
    tamper("UPDATE archive_archiverecord SET seq = 6 WHERE seq = -1")
    problem = _problem()
    assert (problem.seq, problem.kind) == (5, "order_swapped")


def test_a_changed_actor_is_a_hash_mismatch(chain, tamper):
    tamper("UPDATE archive_archiverecord SET actor_email = 'someone@else.test' WHERE seq = 2")
    problem = _problem()
    assert (problem.seq, problem.kind) == (2, "hash_mismatch")


def test_rewriting_the_whole_chain_from_a_record_onwards_is_caught_by_the_external_checkpoint(
    chain, tamper, tmp_path
):
    checkpoint_file = tmp_path / "checkpoints.jsonl"
    write_checkpoint(file_path=str(checkpoint_file))
    prev = ArchiveRecord.objects.get(seq=3).hash
    for seq in range(4, 11):
        entry = ArchiveRecord.objects.get(seq=seq)
        forged = json.dumps({"n": seq, "text": "rewritten"}, separators=(",", ":"))
        ts = entry.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        digest = record_hash(
            prev, canonical_record(seq, ts, entry.event_type, None, "", "", "", "", None, "", forged)
        )
        tamper(
            "UPDATE archive_archiverecord SET payload_json = %s, payload_sha256 = %s, prev_hash = %s, "
            "hash = %s "
            "WHERE seq = %s",
            [forged, payload_digest(forged), prev, digest, seq],
        )
        prev = digest
    tamper("UPDATE archive_archivehead SET hash = %s", [prev])
    tamper("DELETE FROM archive_archivecheckpoint")
    assert verify_database().ok, "a full rewrite including head and database checkpoints is self-consistent"
    result = verify_database(checkpoint_file=str(checkpoint_file))
    assert (result.problem.seq, result.problem.kind) == (10, "checkpoint_mismatch")


def test_the_command_prints_the_first_bad_sequence_number_and_exits_non_zero(chain, tamper, capsys):
    tamper("UPDATE archive_archiverecord SET payload_json = '{}' WHERE seq = 8")
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_archive")
    assert excinfo.value.returncode == 1
    assert "FIRST BAD SEQUENCE NUMBER: 8" in capsys.readouterr().err
    assert "payload_changed" in str(excinfo.value)
