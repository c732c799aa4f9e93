"""A late or replayed webhook delivery never moves an application back along the pipeline, even after the
inbox has forgotten the body's digest; rejected and withdrawn may follow any stage; a person's CSV import
may still set any stage. What the archive holds is read as compliance reads it (``search_records``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from advocacy.recruitment import formats, intake
from advocacy.recruitment.csv_import import import_applications
from advocacy.recruitment.formats import ApplicationEvent
from advocacy.recruitment.models import Application, ApplicationDelivery
from advocacy.recruitment.tasks import purge_ats_inbox
from compliance.archive.selectors import search_records
from tests.recruitment import payloads
from tests.recruitment.conftest import SECRET

pytestmark = pytest.mark.django_db

HEADER = "application_id;job_reference;applied_at;source_reference;stage;hired_at\r\n"


def _deliver(slug: str, body: bytes, *, vendor: str = "greenhouse"):
    headers = formats.sign(vendor, secret=SECRET, body=body)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = Client().post(
        f"/recruitment/ats/{slug}/webhook/", body, content_type="application/json", **meta
    )
    assert response.status_code == 202, response.content  # stored (new bytes) and drained (eager worker)
    return response


def _forget_the_inbox() -> None:
    """As the daily purge does once ATS_INBOX_RETENTION_DAYS have passed since the bodies were applied."""
    ApplicationDelivery.objects.update(
        processed_at=timezone.now() - dt.timedelta(days=settings.ATS_INBOX_RETENTION_DAYS + 1)
    )
    assert purge_ats_inbox.delay().get() >= 1
    assert not ApplicationDelivery.objects.exists()


def _moves() -> list[tuple[str, str, str]]:
    return [
        (r.payload["before"], r.payload["stage"], r.payload["via"])
        for r in reversed(search_records(event_type="recruitment.stage_changed"))
    ]


def _again(body: bytes) -> bytes:
    """The same event in other bytes (a later delivery of it, with its own digest)."""
    return json.dumps({**json.loads(body), "delivery": "later"}).encode()


@pytest.fixture
def greenhouse(make_profile, make_offer):
    make_offer()
    return make_profile("greenhouse")


def test_a_creation_replayed_after_the_purge_does_not_send_an_interview_back(greenhouse):
    created = payloads.greenhouse()  # first stage "Application Review": screening
    _deliver("greenhouse", created)
    _deliver("greenhouse", payloads.greenhouse("candidate_stage_change", stage="Face to Face Interview"))
    assert Application.objects.get().stage == "interview"
    _forget_the_inbox()
    archived = [r.seq for r in search_records(event_type="recruitment.")]

    response = _deliver("greenhouse", created)  # not recognised any more: stored and applied again
    assert response.json() == {"stored": True, "events": 1}

    application = Application.objects.get()
    assert application.stage == "interview"
    assert [r.seq for r in search_records(event_type="recruitment.")] == archived  # nothing archived for it
    assert _moves() == [("screening", "interview", "webhook")]


def test_a_late_stage_change_does_not_move_an_offer_back_but_a_rejection_follows_any_stage(greenhouse):
    interview = payloads.greenhouse("candidate_stage_change", stage="Face to Face Interview")
    _deliver("greenhouse", payloads.greenhouse())
    _deliver("greenhouse", payloads.greenhouse("candidate_stage_change", stage="Offer"))
    _deliver("greenhouse", interview)  # the ATS's late delivery of an earlier move
    assert Application.objects.get().stage == "offer"
    _deliver("greenhouse", payloads.greenhouse("candidate_stage_change", stage="Offer", status="rejected"))
    assert Application.objects.get().stage == "rejected"
    assert _moves() == [("screening", "offer", "webhook"), ("offer", "rejected", "webhook")]


def test_a_hire_is_not_moved_back_by_a_replay_and_a_csv_correction_may_undo_it(greenhouse):
    _deliver("greenhouse", payloads.greenhouse())
    _deliver("greenhouse", payloads.greenhouse("hire_candidate", hired_at="2026-12-01T10:00:00Z"))
    _deliver("greenhouse", _again(payloads.greenhouse("candidate_stage_change", stage="Offer")))
    assert Application.objects.get().stage == "hired"

    # HR corrects the record: it was an offer, not a hire
    fixed = import_applications(
        profile=greenhouse, data=(HEADER + "9001;REQ-101;30/11/2026;;Offre;\r\n").encode()
    )
    assert (fixed.moved, fixed.errors) == (1, [])
    application = Application.objects.get()
    assert (application.stage, application.hired_at) == ("offer", None)  # no longer counted as a hire
    assert _moves() == [("screening", "hired", "webhook"), ("hired", "offer", "csv")]


def test_a_csv_re_import_may_still_move_an_application_back(greenhouse):
    created = payloads.greenhouse()
    _deliver("greenhouse", created)
    _deliver("greenhouse", payloads.greenhouse("candidate_stage_change", stage="Face to Face Interview"))
    _forget_the_inbox()
    _deliver("greenhouse", created)
    assert Application.objects.get().stage == "interview"

    result = import_applications(
        profile=greenhouse, data=(HEADER + "9001;REQ-101;30/11/2026;;Candidature;\r\n").encode()
    )
    assert (result.moved, result.unchanged, result.errors) == (1, 0, [])
    assert Application.objects.get().stage == "applied"
    assert _moves() == [("screening", "interview", "webhook"), ("interview", "applied", "csv")]


def test_lever_a_rejected_application_is_not_reopened_by_its_replayed_creation(make_profile, make_offer):
    make_offer("lever-posting-7")
    make_profile("lever", slug="lever")
    created = formats.lever_body(
        secret=SECRET,
        event="applicationCreated",
        data={"opportunityId": "opp-1", "postingId": "lever-posting-7", "sources": ["Relais"]},
    )
    _deliver("lever", created, vendor="lever")
    assert Application.objects.get().stage == "applied"

    def stage_change(to: str) -> bytes:
        return formats.lever_body(
            secret=SECRET,
            event="candidateStageChange",
            data={"opportunityId": "opp-1", "toStageName": to},
        )

    _deliver("lever", stage_change("Rejected"), vendor="lever")
    _forget_the_inbox()
    _deliver("lever", created, vendor="lever")  # the same bytes, weeks later
    assert Application.objects.get().stage == "rejected"
    _deliver("lever", stage_change("Phone Screen"), vendor="lever")  # reopened in Lever
    assert Application.objects.get().stage == "screening"
    assert _moves() == [("applied", "rejected", "webhook"), ("rejected", "screening", "webhook")]


def test_within_one_drained_batch_a_late_event_moves_nothing_but_its_creation_still_counts(greenhouse):
    """Several deliveries applied together: a late one after a later stage is skipped; a creation that comes
    after a stage change of the same application still gives it its job."""
    outcome = intake.apply_events(
        profile=greenhouse,
        events=[
            ApplicationEvent(external_id="A", stage="interview"),  # its creation comes after it
            ApplicationEvent(external_id="A", stage="applied", job_reference="REQ-101"),
            ApplicationEvent(external_id="B", stage="screening", job_reference="REQ-101"),
            ApplicationEvent(external_id="B", stage="offer"),
            ApplicationEvent(external_id="B", stage="screening", job_reference="REQ-101"),
        ],
        via="webhook",
    )
    assert outcome.created == 2
    assert dict(Application.objects.values_list("external_id", "stage")) == {"A": "interview", "B": "offer"}
