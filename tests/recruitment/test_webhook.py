"""The ATS webhook's bad input: refused clearly, nothing stored; replays stored once; Lever's format."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from advocacy.recruitment import formats
from advocacy.recruitment.models import Application, ApplicationDelivery
from advocacy.recruitment.references import reference_for
from compliance.archive.models import ArchiveRecord
from tests.recruitment import payloads
from tests.recruitment.conftest import SECRET

pytestmark = pytest.mark.django_db

URL = "/recruitment/ats/{}/webhook/"


def _post(slug, body, headers=None):
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    return Client().post(URL.format(slug), body, content_type="application/json", **meta)


def _nothing_stored():
    assert not ApplicationDelivery.objects.exists()
    assert not Application.objects.exists()
    assert not ArchiveRecord.objects.filter(event_type__startswith="recruitment.").exists()


@pytest.fixture
def greenhouse(make_profile, make_offer):
    make_offer()
    return make_profile("greenhouse")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Signature": "sha256 " + "0" * 64},
        {
            "Signature": formats.sign("greenhouse", secret="another-secret", body=payloads.greenhouse())[
                "Signature"
            ]
        },
        {
            "Signature": "sha1 "
            + formats.sign("greenhouse", secret=SECRET, body=payloads.greenhouse())["Signature"][7:]
        },
    ],
    ids=["missing", "wrong", "other secret", "other scheme"],
)
def test_a_delivery_without_the_profile_s_signature_gets_401_and_nothing_is_stored(greenhouse, headers):
    assert _post("greenhouse", payloads.greenhouse(), headers).status_code == 401
    _nothing_stored()


def test_a_body_changed_after_signing_gets_401(greenhouse):
    headers = formats.sign("greenhouse", secret=SECRET, body=payloads.greenhouse())
    assert _post("greenhouse", payloads.greenhouse(application_id=1), headers).status_code == 401
    _nothing_stored()


def test_a_signed_but_malformed_body_gets_400(greenhouse):
    for body in (b"{not json", b"[1, 2]", json.dumps({"action": "hire_candidate", "payload": {}}).encode()):
        response = _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body))
        assert response.status_code == 400
    _nothing_stored()


def test_an_unknown_job_reference_is_refused_by_name(greenhouse):
    body = payloads.greenhouse(job="REQ-999")
    response = _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body))
    assert response.status_code == 422
    assert response.json() == {"error": "unknown job reference", "job_references": ["REQ-999"]}
    _nothing_stored()


def test_an_unknown_profile_is_404():
    assert _post("nobody", b"{}").status_code == 404


def test_a_replayed_delivery_is_stored_once(greenhouse):
    body = payloads.greenhouse()
    headers = formats.sign("greenhouse", secret=SECRET, body=body)
    assert _post("greenhouse", body, headers).status_code == 202
    for _ in range(3):
        response = _post("greenhouse", body, headers)
        assert response.status_code == 200 and response.json()["stored"] is False
    assert ApplicationDelivery.objects.count() == 1
    assert Application.objects.count() == 1
    assert ArchiveRecord.objects.filter(event_type="recruitment.application_received").count() == 1


def test_the_same_event_in_a_new_delivery_changes_nothing(greenhouse):
    for at in ("a", "b"):  # two bodies (different bytes), same application and stage
        body = json.dumps({**json.loads(payloads.greenhouse()), "delivery": at}).encode()
        assert (
            _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body)).status_code == 202
        )
    assert Application.objects.count() == 1
    assert ArchiveRecord.objects.filter(event_type__startswith="recruitment.").count() == 1


def test_lever_s_signed_application_and_hire_events(make_profile, make_offer):
    make_offer("lever-posting-7")
    profile = make_profile("lever", slug="lever")
    created = formats.lever_body(
        secret=SECRET,
        event="applicationCreated",
        data={
            "opportunityId": "opp-1",
            "candidateId": "c-1",
            "postingId": "lever-posting-7",
            "sources": ["Referral", "Relais", reference_for(999)],
            "contactId": "k-1",
        },
    )
    assert _post("lever", created).status_code == 202
    application = Application.objects.get(profile=profile)
    assert (application.external_id, application.stage, application.share_id) == ("opp-1", "applied", None)
    assert application.source_reference == reference_for(999)  # the tag Relais made, not "Referral"
    hired = formats.lever_body(secret=SECRET, event="candidateHired", data={"opportunityId": "opp-1"})
    assert _post("lever", hired).status_code == 202
    application.refresh_from_db()
    assert application.stage == "hired" and application.hired_at is not None
    forged = json.loads(hired)
    forged["signature"] = "0" * 64
    assert _post("lever", json.dumps(forged).encode()).status_code == 401


def test_a_hired_application_is_not_moved_back_by_a_late_event(greenhouse):
    for body in (
        payloads.greenhouse("hire_candidate", hired_at="2026-12-01T10:00:00Z"),
        payloads.greenhouse("candidate_stage_change", stage="Face to Face Interview"),
    ):
        assert (
            _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body)).status_code == 202
        )
    assert Application.objects.get().stage == "hired"


def test_a_known_profile_costs_one_insert_per_delivery(greenhouse):
    """Once a process knows the profile and the job reference, a delivery is one round trip: the INSERT
    (the profile, its secret and the reference are remembered; a drain already queued is not asked again)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advocacy.recruitment import intake

    first = payloads.greenhouse(application_id=1)
    assert (
        _post("greenhouse", first, formats.sign("greenhouse", secret=SECRET, body=first)).status_code == 202
    )
    cache.set(intake._PENDING_KEY, 1, timeout=60)  # a drain is queued: this delivery queues none
    try:
        body = payloads.greenhouse(application_id=2)
        with CaptureQueriesContext(connection) as queries:
            response = _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body))
        assert response.status_code == 202
        statements = [q["sql"].split()[0] for q in queries.captured_queries]
        # (the test's transaction adds a savepoint around it; production's webhook commits the INSERT alone)
        assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["INSERT"]
    finally:
        cache.delete(intake._PENDING_KEY)
        intake._drain_seen_until = 0.0
    assert ApplicationDelivery.objects.count() == 2


def test_a_secret_changed_elsewhere_is_used_at_once(greenhouse):
    """Another process (an administrator's save) rotates the secret: this process, which remembers the
    old one, reads the profile again when a signature does not verify."""
    from advocacy.networks import crypto
    from advocacy.recruitment.models import ATSProfile

    body = payloads.greenhouse(application_id=1)
    assert _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body)).status_code == 202
    ATSProfile.objects.filter(pk=greenhouse.pk).update(
        webhook_secret_encrypted=crypto.encrypt("rotated-secret")
    )
    body = payloads.greenhouse(application_id=2)
    assert (
        _post("greenhouse", body, formats.sign("greenhouse", secret="rotated-secret", body=body)).status_code
        == 202
    )
    body = payloads.greenhouse(application_id=3)
    assert _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body)).status_code == 401
    assert sorted(Application.objects.values_list("external_id", flat=True)) == ["1", "2"]


def test_a_deleted_profile_is_not_found_at_once_in_this_process(greenhouse):
    body = payloads.greenhouse(application_id=1)
    assert _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body)).status_code == 202
    Application.objects.all().delete()
    greenhouse.delete()  # CASCADE takes its inbox rows
    body = payloads.greenhouse(application_id=2)
    assert _post("greenhouse", body, formats.sign("greenhouse", secret=SECRET, body=body)).status_code == 404
