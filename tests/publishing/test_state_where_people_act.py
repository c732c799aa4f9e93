"""Issue 12 item 3: the share page says what the adviser already did, a recall confirms and tells each
adviser concerned, and a schedule beyond the horizon is refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advocacy.shares import services
from advocacy.shares.models import Share

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(adviser, connect):
    return connect(adviser, "camille_x")


def test_a_schedule_beyond_the_horizon_is_refused_with_the_reason(adviser, connected, make_item, settings):
    settings.SHARE_SCHEDULE_HORIZON_DAYS = 30
    with pytest.raises(services.ShareRefused, match="at most 30 days ahead"):
        services.schedule_share(
            adviser=adviser, item=make_item(), when=timezone.now() + dt.timedelta(days=31), actor=adviser
        )


def test_the_share_page_and_library_say_it_is_scheduled_with_a_cancel_button(
    adviser, connected, make_item, client_for
):
    item = make_item()
    share = services.schedule_share(
        adviser=adviser, item=item, when=timezone.now() + dt.timedelta(days=2), actor=adviser
    )
    client = client_for(adviser)
    for url in (reverse("shares:share", args=[item.pk]), reverse("content:library")):
        html = client.get(url).content.decode()
        assert "You scheduled it for" in html
        assert reverse("shares:cancel", args=[share.pk]) in html
    assert "Share now" not in client.get(reverse("shares:share", args=[item.pk])).content.decode()


def test_a_recall_asks_for_confirmation_then_tells_every_adviser_concerned(
    sandbox, adviser, connected, make_item, compliance_officer, client_for, django_capture_on_commit_callbacks
):
    item = make_item()
    share = services.schedule_share(
        adviser=adviser, item=item, when=timezone.now() + dt.timedelta(hours=3), actor=adviser
    )
    officer = client_for(compliance_officer)
    url = reverse("recall:item", args=[item.pk])
    asked = officer.post(url, {"reason": "Taux erroné"}).content.decode()
    assert "1 scheduled share will be cancelled." in asked and "0 live posts will be deleted" in asked
    item.refresh_from_db()
    assert item.status == "approved"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(url, {"reason": "Taux erroné", "confirmed": "1"}).status_code == 302
    assert Share.objects.get(pk=share.pk).status == Share.Status.CANCELLED
    told = [m for m in mail.outbox if adviser.email in m.to and "recalled" in m.subject]
    assert len(told) == 1 and "scheduled share of it is cancelled" in told[0].body
    assert "Compliance recalled" in client_for(adviser).get(reverse("shares:my_shares")).content.decode()
    home = client_for(adviser).get(reverse("portal:home")).content.decode()
    assert "Compliance recalled" in home and "Your scheduled share of it is cancelled." in home


def test_a_share_just_sent_reads_sending_on_my_shares_not_scheduled(
    adviser, connected, make_item, client_for
):
    """ "Share now" schedules for now and hands the share to a worker (not run here, so it is still waiting):
    the adviser reads that it is being sent."""
    item = make_item()
    services.share_now(adviser=adviser, item=item, actor=adviser)
    page = client_for(adviser).get(reverse("shares:my_shares")).content.decode()
    row = page[page.index(item.title) :]
    row = row[: row.index("</tr>")]
    assert "Sending to X" in row and "Scheduled" not in row
