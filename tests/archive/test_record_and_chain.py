import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from advocacy.org.models import StaffProfile
from compliance.archive.chain import canonical_record, record_hash
from compliance.archive.models import GENESIS_HASH, ArchiveHead, ArchiveRecord
from compliance.archive.services import record
from compliance.archive.verify import verify_database


def test_each_record_points_at_the_previous_hash_and_sequence_numbers_have_no_gaps(db):
    first = record("test.first", payload={"a": 1})
    second = record("test.second", payload={"b": 2})
    third = record("test.third")
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert ArchiveHead.objects.get().seq == 3
    assert verify_database().ok


def test_the_hash_covers_sequence_timestamp_actor_event_subject_and_payload(db):
    entry = record("test.event", subject="content.item:7", payload={"x": "y"})
    ts = entry.recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    canonical = canonical_record(
        entry.seq, ts, "test.event", None, "", "", "content.item:7", "content.item:7", None, "", '{"x":"y"}'
    )
    assert json.loads(canonical) == {
        "actor": None,
        "event_type": "test.event",
        "network_post_id": "",
        "payload": {"x": "y"},
        "seq": 1,
        "subject": {"ref": "content.item:7", "repr": "content.item:7", "user_id": None},
        "timestamp": ts,
    }
    assert entry.hash == record_hash(GENESIS_HASH, canonical)


def test_payloads_are_canonical_json_with_sorted_keys_nfc_strings_and_normalised_types(db):
    when = dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    entry = record(
        "test.types",
        payload={
            "z": "Cafe\u0301",
            "a": Decimal("12.50"),
            "when": when,
            "day": dt.date(2026, 3, 1),
            "id": ident,
            "ratio": 0.1,
            "tags": {"b", "a"},
            "pair": (1, 2),
            "ok": True,
            "none": None,
        },
    )
    assert entry.payload_json == (
        '{"a":"12.50","day":"2026-03-01","id":"12345678-1234-5678-1234-567812345678","none":null,"ok":true,'
        '"pair":[1,2],"ratio":"0.1","tags":["a","b"],"when":"2026-03-01T09:30:00.000000Z","z":"Café"}'
    )


@pytest.mark.parametrize("bad", [dt.datetime(2026, 1, 1), float("nan"), b"bytes", object()])
def test_values_that_have_no_single_json_spelling_are_refused(db, bad):
    with pytest.raises((TypeError, ValueError)):
        record("test.bad", payload={"value": bad})
    assert not ArchiveRecord.objects.exists()


def test_actor_and_subject_are_kept_as_snapshots_not_foreign_keys(adviser, compliance_officer):
    profile = StaffProfile.objects.get(user=adviser)
    entry = record("test.snapshot", subject=profile, actor=compliance_officer, payload={})
    assert entry.actor_id == compliance_officer.pk
    assert entry.actor_email == compliance_officer.email
    assert entry.actor_name == compliance_officer.get_full_name()
    assert entry.subject_ref == f"org.staffprofile:{profile.pk}"
    assert entry.subject_repr == str(profile)
    assert entry.subject_user_id == adviser.pk
    assert not [f for f in ArchiveRecord._meta.get_fields() if f.is_relation]


def test_a_rolled_back_caller_leaves_neither_a_record_nor_a_gap(db):
    record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.rolled_back")
        raise RuntimeError("the business change failed")
    after = record("test.next")
    assert after.seq == 2
    assert list(ArchiveRecord.objects.order_by("seq").values_list("event_type", flat=True)) == [
        "test.kept",
        "test.next",
    ]
    assert verify_database().ok


def test_erasing_a_person_elsewhere_never_touches_their_archive_records(db, django_user_model):
    person = django_user_model.objects.create_user(username="erased", email="erased@bank.test")
    entry = record("test.about_person", subject=person, actor=person, payload={"email": person.email})
    # Erasure elsewhere (GDPR art. 17) deletes the user row: no archive column refers to it by key, so the
    # database neither blocks the delete nor cascades it into the archive.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user WHERE id = %s", [person.pk])
    kept = ArchiveRecord.objects.get(seq=entry.seq)
    assert (kept.actor_id, kept.subject_user_id, kept.actor_email, kept.hash) == (
        person.pk,
        person.pk,
        "erased@bank.test",
        entry.hash,
    )
    assert verify_database().ok


def test_network_post_ids_are_indexed_from_the_payload(db):
    entry = record("test.published", payload={"network_post_id": 1790001, "text": "Hello"})
    assert entry.network_post_id == "1790001"
    assert ArchiveRecord.objects.filter(network_post_id="1790001").get() == entry


def test_a_lost_head_row_continues_the_chain_instead_of_restarting_it(db, tamper):
    record("test.one")
    record("test.two")
    tamper("DELETE FROM archive_archivehead")
    assert record("test.three").seq == 3
    assert verify_database().ok


def test_timestamps_are_stored_in_utc_with_microseconds(db):
    entry = record("test.time")
    assert entry.recorded_at.tzinfo is not None
    assert abs((timezone.now() - entry.recorded_at).total_seconds()) < 5
