"""Every employee relays job offers (issue 15 item 2): HR, marketing, a branch manager — none of them an
adviser — share an approved job offer through the same share flow and exactly-once engine, the real tweepy
client posting to the X sandbox; other categories stay with advisers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.content.models import JobOffer
from advocacy.org.models import Role
from advocacy.shares.models import Share

from .conftest import live_posts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.X_RETRY_BASE_SECONDS = 0
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"


@pytest.fixture
def job_offer(make_item, org):
    item = make_item(
        title="Conseiller clientèle à Lille",
        text="Nous recrutons un conseiller clientèle à Lille : postulez !",
        link="https://www.banque-test.fr/carrieres/REQ-101",
        category="recruitment",
        label="",
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    JobOffer.objects.create(
        item=item,
        job_reference="REQ-101",
        place="Lille",
        branch=org["lille"],
        contract_type=JobOffer.ContractType.PERMANENT,
        closes_on=timezone.localdate() + dt.timedelta(days=29),
    )
    return item


@pytest.mark.parametrize(("role", "username"), [(Role.HR, "nadia_rh"), (Role.MARKETING, "lea_mkt")])
def test_a_non_adviser_shares_a_job_offer_on_x(
    sandbox, connect, personas, job_offer, client_for, django_capture_on_commit_callbacks, role, username
):
    person = personas[role]
    connect(person, username)
    client = client_for(person)
    library = client.get(reverse("content:library")).content.decode()
    assert job_offer.title in library and reverse("shares:share", args=[job_offer.pk]) in library
    page = client.get(reverse("shares:share", args=[job_offer.pk]))
    assert page.status_code == 200
    assert "https://relais.banque-test.fr/l/" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shares:share", args=[job_offer.pk]), {"now": "1"})
    assert response.status_code == 302
    share = Share.objects.get(adviser=person)
    assert share.status == Share.Status.PUBLISHED, share.last_error
    posts = live_posts(sandbox, username)
    assert len(posts) == 1 and posts[0]["id"] == share.network_post_id
    assert posts[0]["text"].endswith(f"https://relais.banque-test.fr/l/{share.link_code}")
    # What H4 and H5 read from a share: the offer's ATS reference and its approved apply link.
    assert share.item.job_offer.job_reference == "REQ-101"
    assert share.version.link_url == "https://www.banque-test.fr/carrieres/REQ-101"
    # Exactly once: asking again while it is live schedules nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("shares:share", args=[job_offer.pk]), {"now": "1"})
    assert Share.objects.filter(adviser=person).count() == 1
    assert len(live_posts(sandbox, username)) == 1
    assert client.get(reverse("shares:my_shares")).status_code == 200


def test_other_categories_stay_with_advisers(sandbox, connect, personas, make_item, client_for):
    news = make_item(title="Taux du mois", category="market_news")
    for role in (Role.HR, Role.MARKETING, Role.BRANCH_MANAGER):
        person = personas[role]
        assert client_for(person).get(reverse("shares:share", args=[news.pk])).status_code == 404, role
        assert news.title not in client_for(person).get(reverse("content:library")).content.decode()
    assert client_for(personas[Role.ADVISER]).get(reverse("shares:share", args=[news.pk])).status_code == 200


def test_a_branch_manager_shares_a_job_offer_and_the_send_time_check_lets_it_out(
    sandbox, connect, personas, job_offer, django_capture_on_commit_callbacks
):
    from advocacy.shares import services

    manager = personas[Role.BRANCH_MANAGER]
    connect(manager, "claire_dir")
    share = services.schedule_share(
        adviser=manager, item=job_offer, when=timezone.now() + dt.timedelta(minutes=5), actor=manager
    )
    Share.objects.filter(pk=share.pk).update(scheduled_for=timezone.now() - dt.timedelta(seconds=1))
    assert services.publish_share(share_id=share.pk) == Share.Status.PUBLISHED
    assert len(live_posts(sandbox, "claire_dir")) == 1
