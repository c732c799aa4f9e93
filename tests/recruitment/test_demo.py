"""The demo's ATS: two applications by the signed webhook and one by CSV, each credited to its sharer."""

from __future__ import annotations

import pytest

from advocacy.recruitment import demo
from advocacy.recruitment.models import Application
from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db


def test_the_demo_delivers_two_webhooks_and_a_csv_attributed_to_three_sharers(
    sandbox, connect, adviser, adviser2, branch_manager, make_offer, org, keep_test_connection
):
    offer = make_offer()
    shares = []
    for person, handle in ((adviser, "camille_x"), (adviser2, "hugo_x"), (branch_manager, "claire_x")):
        connect(person, handle)
        share = services.schedule_share(adviser=person, item=offer, when=None, actor=person)
        assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
        shares.append(Share.objects.select_related("item__job_offer").get(pk=share.pk))

    received = demo.deliver_demo_webhooks(shares=shares)
    result = demo.import_demo_csv(share=shares[2])

    assert result.errors == [] and result.created == 1
    by_employee = {a.employee_id: (a.stage, a.branch) for a in Application.objects.all()}
    assert by_employee == {
        adviser.pk: ("hired", org["lille"]),
        adviser2.pk: ("interview", org["nice"]),
        branch_manager.pk: ("interview", org["lille"]),
    }
    assert len(received) == 2
    assert demo.deliver_demo_webhooks(shares=shares)  # twice is harmless: replays are stored once
    assert Application.objects.count() == 3


def test_the_seeded_demo_gives_hr_the_lyon_offer_s_funnel_and_a_deduplicated_audience(
    sandbox, keep_test_connection, client_for
):
    """Issue 15's Done-when, as ``seed_demo`` builds it against the sandbox: HR's job offer is approved,
    three employees in three places share it, their links are clicked through to the sandbox's apply page,
    two applications come by the webhook and one by CSV, each credited to its sharer, and the audience
    counted once per person is below the raw sum of followers."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from advocacy.audience.demo import seed_follower_graph
    from advocacy.content.demo import seed_content
    from advocacy.content.models import JobOffer
    from advocacy.networks.x.demo import seed_publishing
    from advocacy.org.demo import seed_organisation
    from advocacy.reach import selectors

    seed_organisation()
    seed_content()
    seed_publishing()
    assert demo.seed_recruitment() == {"connected": 3, "shared": 3, "clicks": 9, "applications": 3}
    seed_follower_graph()
    assert demo.seed_recruitment() == {"connected": 0, "shared": 0, "clicks": 0, "applications": 3}

    offer = JobOffer.objects.get(job_reference=demo.DEMO_OFFER)
    assert offer.item.current_version.link_url == f"{sandbox.url}/apply/{demo.DEMO_OFFER}"
    report = selectors.report(selectors.Scope(None, employees=True), offer, now=timezone.now())
    assert report.total.sharer_count == 3 and report.total.unique_clicks == 9
    assert {(row.label, row.branch, row.applications) for row in report.employees} == {
        ("Hugo Bernard", "Lyon Bellecour", 1),
        ("Claire Dubois", "Paris Opéra", 1),
        ("Nadia Benali", "Head office", 1),
    }
    assert (report.total.applications, report.total.hires, report.unattributed) == (3, 1, 0)
    assert 0 < report.audience.unique < report.audience.raw == 90

    hr = get_user_model().objects.get(email="hr@demo.relais.test")
    page = client_for(hr).get(reverse("reach:offer", args=[offer.pk])).content.decode()
    assert "<dt>Audience, each person once</dt><dd>54</dd>" in page
