import datetime as dt

import pytest
from django.utils import timezone

from advocacy.content.models import JobOffer
from advocacy.recruitment.formats import DEFAULT_PARAMETERS
from advocacy.recruitment.models import ATSProfile
from tests.publishing.conftest import connect, make_item, sandbox  # noqa: F401 - fixtures

SECRET = "whsec-test-0123456789"


@pytest.fixture
def make_offer(make_item):  # noqa: F811 - the fixture imported above
    """An approved job offer (a recruitment item and its JobOffer row) with an apply URL."""

    def make(reference="REQ-101", *, link="https://jobs.banque-test.fr/apply/101", title="Conseiller (H/F)"):
        item = make_item(
            title=title, text="Nous recrutons à Lille.", link=link, category="recruitment", label=""
        )
        JobOffer.objects.create(
            item=item,
            job_reference=reference,
            place="Lille",
            contract_type="permanent",
            closes_on=(timezone.now() + dt.timedelta(days=30)).date(),
        )
        return item

    return make


@pytest.fixture
def make_profile(db):
    def make(vendor="greenhouse", *, slug=None, applies_to_all=True, secret=SECRET, items=()):
        parameters, replace_utm = DEFAULT_PARAMETERS[vendor]
        profile = ATSProfile(
            name=vendor.title(),
            slug=slug or vendor,
            vendor=vendor,
            parameters=parameters,
            replace_utm=replace_utm,
            applies_to_all=applies_to_all,
        )
        profile.set_webhook_secret(secret)
        profile.save()
        profile.items.set(items)
        return profile

    return make


@pytest.fixture
def keep_test_connection():
    """Calling a WSGI handler directly (as production's server does) sends request_started/finished, whose
    close_old_connections would close the test's transaction: disconnected meanwhile, as Django's test
    client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
