"""Share -> tracked click -> apply URL with the ATS parameter -> signed webhook -> application credited.

Everything goes through the real doors: the share engine publishes to the X sandbox, the click goes through
the WSGI application's /l/ handler, the webhook through the portal's URL and the inbox drain (eager Celery).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from advocacy.recruitment import formats
from advocacy.recruitment.models import Application, ApplicationDelivery
from advocacy.recruitment.references import reference_for, share_id_from
from advocacy.shares import services
from advocacy.shares.models import Share
from compliance.archive.models import ArchiveRecord
from tests.recruitment import payloads
from tests.recruitment.conftest import SECRET

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def _publish(adviser, item) -> Share:
    share = services.schedule_share(adviser=adviser, item=item, when=None, actor=adviser)
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    return Share.objects.get(pk=share.pk)


def _deliver(profile, body: bytes, **headers):
    signed = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in formats.sign(profile.vendor, secret=SECRET, body=body).items()
    }
    return Client().post(
        f"/recruitment/ats/{profile.slug}/webhook/",
        body,
        content_type="application/json",
        **signed,
        **headers,
    )


@pytest.fixture
def two_sharers(sandbox, connect, adviser, adviser2, make_offer, make_profile, settings):
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"
    connect(adviser, "camille_x")
    connect(adviser2, "hugo_x")
    offer = make_offer()
    profile = make_profile("greenhouse")
    return profile, offer, _publish(adviser, offer), _publish(adviser2, offer)


def test_a_click_lands_on_the_apply_page_with_greenhouse_s_source_parameter_for_that_share(two_sharers):
    _, _, first, second = two_sharers
    locations = []
    for share in (first, second):
        response = Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302
        locations.append(urlsplit(response["Location"]))
    for share, target in zip((first, second), locations, strict=True):
        assert (target.netloc, target.path) == ("jobs.banque-test.fr", "/apply/101")
        query = parse_qs(target.query)
        assert query == {"gh_src": [reference_for(share.pk)]}  # Greenhouse's parameter replaces UTM
        assert share_id_from(query["gh_src"][0]) == share.pk
    assert locations[0].query != locations[1].query


def test_the_application_that_carries_the_reference_is_credited_to_the_sharer_and_archived(
    two_sharers, adviser, org
):
    profile, offer, first, _ = two_sharers
    target = urlsplit(Client().get(f"/l/{first.link_code}", HTTP_USER_AGENT=BROWSER)["Location"])
    reference = parse_qs(target.query)["gh_src"][0]

    response = _deliver(profile, payloads.greenhouse(reference=reference))
    assert response.status_code == 202

    application = Application.objects.get()
    assert (application.external_id, application.job_reference, application.item_id) == (
        "9001",
        "REQ-101",
        offer.pk,
    )
    assert application.share_id == first.pk and application.employee_id == adviser.pk
    assert (application.branch, application.region) == (org["lille"], org["north"])
    assert application.stage == "screening"  # Greenhouse's "Application Review"
    record = ArchiveRecord.objects.get(event_type="recruitment.application_received")
    assert json.loads(record.payload_json) | {} == {
        "ats": "greenhouse",
        "application_id": "9001",
        "job_reference": "REQ-101",
        "item": offer.pk,
        "stage": "screening",
        "share": first.pk,
        "employee": adviser.pk,
        "via": "webhook",
    }
    stored = json.dumps(list(ApplicationDelivery.objects.values_list("events", flat=True)))
    archived = json.dumps(list(ArchiveRecord.objects.values_list("payload_json", "subject_repr")))
    for personal in payloads.PERSONAL:  # the candidate's name, e-mail and phone were never stored
        assert personal not in stored and personal not in archived

    hired = payloads.greenhouse(
        "hire_candidate", reference=reference, stage="Offer", hired_at="2026-12-01T10:00:00Z"
    )
    assert _deliver(profile, hired).status_code == 202
    application.refresh_from_db()
    assert application.stage == "hired" and application.hired_at.isoformat() == "2026-12-01T10:00:00+00:00"
    moved = ArchiveRecord.objects.get(event_type="recruitment.stage_changed")
    assert json.loads(moved.payload_json)["before"] == "screening"


def test_a_reference_of_another_offer_s_share_or_a_forged_one_leaves_the_application_unattributed(
    two_sharers, make_offer, adviser
):
    profile, _, first, _ = two_sharers
    make_offer("REQ-202", link="https://jobs.banque-test.fr/apply/202")
    forged = reference_for(first.pk)[:-1] + ("a" if reference_for(first.pk)[-1] != "a" else "b")
    for number, (job, reference) in enumerate(
        [("REQ-202", reference_for(first.pk)), ("REQ-101", forged), ("REQ-101", "")]
    ):
        response = _deliver(
            profile, payloads.greenhouse(application_id=100 + number, job=job, reference=reference)
        )
        assert response.status_code == 202
    assert Application.objects.count() == 3
    assert not Application.objects.exclude(share=None).exists()
    assert not Application.objects.exclude(employee=None).exists()


def test_links_of_other_content_keep_their_utm_parameters(sandbox, connect, adviser, make_item, make_profile):
    connect(adviser, "camille_x")
    make_profile("greenhouse")
    share = _publish(adviser, make_item())
    query = parse_qs(
        urlsplit(Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER)["Location"]).query
    )
    assert "gh_src" not in query and query["utm_content"] == [str(share.pk)]


def test_the_click_lands_on_the_sandbox_apply_page_with_the_reference(
    sandbox, connect, adviser, make_offer, make_profile
):
    import requests

    from advocacy.content.models import ComplianceSettings

    connect(adviser, "camille_x")
    make_profile("lever", slug="lever")
    offer = make_offer(link=f"{sandbox.url}/apply/REQ-101?lang=fr")
    compliance = ComplianceSettings.current()  # the demo's sandbox host, as LINK_ALLOWED_DOMAINS allows it
    compliance.allowed_domains = [*compliance.allowed_domains, "127.0.0.1"]
    compliance.save()
    share = _publish(adviser, offer)
    location = Client().get(f"/l/{share.link_code}", HTTP_USER_AGENT=BROWSER)["Location"]
    page = requests.get(location, timeout=5)
    assert page.status_code == 200 and "Apply page: job REQ-101" in page.text
    for name, value in (
        ("lang", "fr"),
        ("lever-origin", "applied"),
        ("lever-source[]", "Relais"),
        ("lever-source[]", reference_for(share.pk)),
    ):
        assert f"<td><code>{name}</code></td><td><code>{value}</code></td>" in page.text
    assert "utm_" not in page.text
