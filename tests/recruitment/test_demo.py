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
