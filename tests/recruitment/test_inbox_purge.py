"""The ATS inbox's applied deliveries are deleted after ATS_INBOX_RETENTION_DAYS by a daily beat task; the
applications and their archive records stay, deliveries set aside or waiting stay, and a body replayed after
its row went is stored again but changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from advocacy.recruitment import formats
from advocacy.recruitment.models import Application, ApplicationDelivery
from advocacy.recruitment.tasks import purge_ats_inbox
from compliance.archive.models import ArchiveRecord
from tests.recruitment import payloads
from tests.recruitment.conftest import SECRET

pytestmark = pytest.mark.django_db


def _deliver(body: bytes):
    headers = formats.sign("greenhouse", secret=SECRET, body=body)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(
        "/recruitment/ats/greenhouse/webhook/", body, content_type="application/json", **meta
    )


@pytest.fixture
def greenhouse(make_profile, make_offer):
    make_offer()
    return make_profile("greenhouse")


def test_the_beat_task_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["recruitment-purge-ats-inbox"]
    assert entry["task"] == "advocacy.recruitment.tasks.purge_ats_inbox"


def test_applied_deliveries_older_than_the_retention_go_and_nothing_else(greenhouse, settings):
    settings.ATS_INBOX_RETENTION_DAYS = 30
    old_body, recent_body = payloads.greenhouse(application_id=1), payloads.greenhouse(application_id=2)
    assert _deliver(old_body).status_code == 202 and _deliver(recent_body).status_code == 202
    assert ApplicationDelivery.objects.filter(processed_at__isnull=False).count() == 2  # drained (eager)
    now = timezone.now()
    old = ApplicationDelivery.objects.get(events__0__external_id="1")
    ApplicationDelivery.objects.filter(pk=old.pk).update(processed_at=now - dt.timedelta(days=31))
    ApplicationDelivery.objects.exclude(pk=old.pk).update(processed_at=now - dt.timedelta(days=29))
    set_aside = ApplicationDelivery.objects.create(
        profile=greenhouse, digest="f" * 64, events=[], failed_at=now - dt.timedelta(days=90), error="x"
    )
    ApplicationDelivery.objects.filter(pk=set_aside.pk).update(received_at=now - dt.timedelta(days=90))
    waiting = ApplicationDelivery.objects.create(profile=greenhouse, digest="e" * 64, events=[])
    archived = list(ArchiveRecord.objects.order_by("seq").values_list("seq", "hash", "payload_sha256"))
    assert ArchiveRecord.objects.filter(event_type="recruitment.application_received").count() == 2

    assert purge_ats_inbox.delay().get() == 1
    assert not ApplicationDelivery.objects.filter(pk=old.pk).exists()
    assert set(ApplicationDelivery.objects.values_list("pk", flat=True)) == {
        *ApplicationDelivery.objects.filter(events__0__external_id="2").values_list("pk", flat=True),
        set_aside.pk,
        waiting.pk,
    }
    assert Application.objects.count() == 2  # what the deliveries said stays
    assert (
        list(ArchiveRecord.objects.order_by("seq").values_list("seq", "hash", "payload_sha256")) == archived
    )
    assert purge_ats_inbox.delay().get() == 0  # nothing more is due


def test_a_body_replayed_after_its_row_went_is_stored_again_but_changes_nothing(greenhouse, settings):
    settings.ATS_INBOX_RETENTION_DAYS = 30
    body = payloads.greenhouse(application_id=7)
    assert _deliver(body).status_code == 202
    ApplicationDelivery.objects.update(processed_at=timezone.now() - dt.timedelta(days=31))
    assert purge_ats_inbox.delay().get() == 1
    archived = ArchiveRecord.objects.count()
    application = Application.objects.get()
    assert _deliver(body).status_code == 202  # not recognised any more: stored, drained
    assert ApplicationDelivery.objects.get().processed_at is not None
    again = Application.objects.get()
    assert (again.pk, again.stage, again.updated_at) == (
        application.pk,
        application.stage,
        application.updated_at,
    )
    assert ArchiveRecord.objects.count() == archived  # not received twice
