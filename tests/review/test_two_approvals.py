"""A category that needs two approvers: after the first, everyone is told what is still needed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.review.factories import submitted_version

pytestmark = pytest.mark.django_db

STILL_NEEDED = "1 of 2 approvals — a second officer must approve"


@pytest.fixture
def two_for_events(settings):
    settings.REVIEW_TWO_APPROVER_CATEGORIES = ["event"]


def test_after_the_first_of_two_approvals_the_reviewer_and_the_queue_say_a_second_is_needed(
    two_for_events, adviser, compliance_officer, compliance_officer2, client_for
):
    version = submitted_version(adviser, category="event", text="Venez à notre soirée d'information.")
    first = client_for(compliance_officer)
    response = first.post(reverse("review:decide", kwargs={"pk": version.pk}), {"decision": "approve"})
    assert response.status_code == 302
    page = first.get(response["Location"]).content.decode()
    assert STILL_NEEDED in page
    assert "Version approved." not in page
    version.refresh_from_db()
    assert version.status == "submitted"

    second = client_for(compliance_officer2)
    queue = second.get(reverse("review:queue")).content.decode()
    assert STILL_NEEDED in queue
    review = second.get(reverse("review:review", kwargs={"pk": version.pk})).content.decode()
    assert STILL_NEEDED in review
    done = second.post(reverse("review:decide", kwargs={"pk": version.pk}), {"decision": "approve"})
    assert "Version approved." in second.get(done["Location"]).content.decode()
    version.refresh_from_db()
    assert version.status == "approved"


def test_a_category_with_one_approver_says_approved_at_once(
    two_for_events, adviser, compliance_officer, client_for
):
    version = submitted_version(adviser, category="corporate")
    client = client_for(compliance_officer)
    response = client.post(reverse("review:decide", kwargs={"pk": version.pk}), {"decision": "approve"})
    page = client.get(response["Location"]).content.decode()
    assert "Version approved." in page and "a second officer" not in page
