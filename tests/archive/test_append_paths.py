"""The fast append paths keep the documented hash formula: ``record`` (one SQL statement on PostgreSQL, the
hash computed by PostgreSQL's ``sha256``), ``record_many`` (one lock for a batch), the canonical record cut
around seq and timestamp before the lock. Runs on SQLite and PostgreSQL; the ``postgresql`` tests need it."""

import datetime as dt

import pytest
from django.db import transaction

from compliance.archive.chain import canonical_json, canonical_record, payload_digest, record_hash, timestamp
from compliance.archive.models import GENESIS_HASH, ArchiveHead, ArchiveRecord
from compliance.archive.services import Event, _prepare, record, record_many
from compliance.archive.verify import verify_database

# Texts that could confuse a naive cut or a byte-level mismatch between Python and PostgreSQL.
AWKWARD = [
    {"seq": 0, "subject": "x", "text": ',"seq":0,"subject":null,"timestamp":""}'},
    {"nested": {"a": 1, "seq": 0, "subject": {"ref": "r"}}},
    {"text": 'quote " backslash \\ newline \n tab \t bell \x07 nul \x00 end'},
    {"text": "Café e\u0301 ß 日本語 emoji 🏦 RTL \u202e ZWJ \u200d", "amount": "3,2 %"},
    {"network_post_id": 1790001, "text": "%s %(x)s {} ' \" ;--"},
    {},
]


def _expected_hash(entry, prev_hash):
    canonical = canonical_record(
        entry.seq,
        timestamp(entry.recorded_at),
        entry.event_type,
        entry.actor_id,
        entry.actor_email,
        entry.actor_name,
        entry.subject_ref,
        entry.subject_repr,
        entry.subject_user_id,
        entry.network_post_id,
        entry.payload_json,
    )
    return record_hash(prev_hash, canonical)


@pytest.mark.parametrize("payload", AWKWARD)
@pytest.mark.parametrize("subject", [None, "content.item:7", 'a "quoted", \\ ,"seq":0,"subject": ref'])
@pytest.mark.parametrize("actor", [None, "nightly job", 'writer "q" ,"seq":0,'])
def test_the_canonical_record_cut_around_seq_and_timestamp_reassembles_exactly(payload, subject, actor):
    prepared = _prepare("test.cut", subject, actor, payload)
    seq, ts = 123456789, "2026-03-01T09:30:00.123456Z"
    event_type, actor_id, actor_email, actor_name, ref, rep, user_id, post, payload_json, digest = (
        prepared.values
    )
    assert prepared.canonical(seq, ts) == canonical_record(
        seq, ts, event_type, actor_id, actor_email, actor_name, ref, rep, user_id, post, payload_json
    )
    assert payload_json == canonical_json(payload) and digest == payload_digest(payload_json)


def test_awkward_payloads_hash_identically_in_the_database_and_in_python(db):
    prev = GENESIS_HASH
    for payload in AWKWARD:
        entry = record("test.awkward", subject='subj "é"', actor="job ß", payload=payload)
        stored = ArchiveRecord.objects.get(seq=entry.seq)
        assert (stored.hash, stored.prev_hash, stored.recorded_at) == (entry.hash, prev, entry.recorded_at)
        assert entry.hash == _expected_hash(stored, prev)
        prev = entry.hash
    assert ArchiveHead.objects.get().seq == len(AWKWARD)
    result = verify_database()
    assert result.ok and result.checked == len(AWKWARD)


def test_record_many_appends_consecutive_records_in_one_lock(db):
    first = record("test.before")
    batch = record_many(
        [
            Event("test.batch", subject="content.item:1", actor="importer", payload={"n": 1}),
            ("test.batch", None, None, {"n": 2, "text": "Café"}),
            Event("test.published", payload={"network_post_id": "99", "text": "sent"}),
        ]
    )
    assert [e.seq for e in batch] == [2, 3, 4]
    assert batch[0].prev_hash == first.hash
    assert [b.prev_hash for b in batch[1:]] == [a.hash for a in batch[:-1]]
    assert len({e.recorded_at for e in batch}) == 1
    assert batch[2].network_post_id == "99"
    assert ArchiveHead.objects.values_list("seq", "hash").get() == (4, batch[-1].hash)
    assert record("test.after").prev_hash == batch[-1].hash
    assert record_many([]) == []
    result = verify_database()
    assert result.ok and result.checked == 5


def test_record_many_validates_every_event_before_writing_anything(db):
    with pytest.raises(TypeError):
        record_many([Event("test.ok", payload={"n": 1}), Event("test.bad", payload={"v": object()})])
    with pytest.raises(ValueError):
        record_many([("test.ok", None, None, {}), ("", None, None, {})])
    assert not ArchiveRecord.objects.exists()


def test_a_rolled_back_batch_leaves_neither_records_nor_a_gap(db):
    record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_many([Event("test.rolled_back", payload={"n": n}) for n in range(5)])
        record("test.rolled_back_too")
        raise RuntimeError("the business change failed")
    after = record_many([Event("test.next")])
    assert after[0].seq == 2
    assert list(ArchiveRecord.objects.order_by("seq").values_list("event_type", flat=True)) == [
        "test.kept",
        "test.next",
    ]
    assert verify_database().ok


def test_a_large_batch_is_split_into_several_statements_and_still_one_chain(db, monkeypatch):
    from compliance.archive import services

    monkeypatch.setattr(services, "_ROWS_PER_INSERT", 7)
    entries = record_many([Event("test.large", payload={"n": n}) for n in range(30)])
    assert [e.seq for e in entries] == list(range(1, 31))
    assert ArchiveHead.objects.get().seq == 30
    result = verify_database()
    assert result.ok and result.checked == 30


def test_the_database_clock_is_read_under_the_lock_so_timestamps_follow_the_sequence(postgresql):
    entries = [record("test.clock", payload={"n": n}) for n in range(20)]
    entries += record_many([Event("test.clock", payload={"n": n}) for n in range(5)])
    stamps = list(ArchiveRecord.objects.order_by("seq").values_list("recorded_at", flat=True))
    assert stamps == sorted(stamps)
    assert all(s.tzinfo is not None and s.utcoffset() == dt.timedelta(0) for s in stamps)
    assert [e.recorded_at for e in entries] == stamps


def test_a_database_error_inside_record_dooms_the_callers_transaction(db, monkeypatch):
    """No savepoint around an append: a business change cannot commit without its record, even when a
    careless caller swallows the error."""
    from django.db import DatabaseError

    from compliance.archive import services
    from compliance.archive.models import ArchiveCheckpoint

    def broken(*args, **kwargs):
        raise DatabaseError("simulated")

    record("test.kept")
    monkeypatch.setattr(services, "_insert_and_advance_head", broken)  # SQLite path
    monkeypatch.setattr(services, "_PG_RECORD", "SELECT * FROM no_such_table_for_the_archive")  # PostgreSQL
    with transaction.atomic():
        ArchiveCheckpoint.objects.create(seq=1, hash="b" * 64, created_at=dt.datetime.now(dt.UTC))
        with pytest.raises(DatabaseError):
            record("test.failed")
        assert transaction.get_rollback()
    assert not ArchiveCheckpoint.objects.exists()
    assert list(ArchiveRecord.objects.values_list("event_type", flat=True)) == ["test.kept"]
