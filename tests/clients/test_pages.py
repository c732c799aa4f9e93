"""The adviser's client book pages: thin views over the services, their own clients only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.clients import services
from advocacy.clients.models import Client, Consent, HandleStatus
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db

ROUTES = ["clients:edit", "clients:consent", "clients:withdraw", "clients:delete", "clients:erase"]


@pytest.fixture
def jeanne(adviser):
    return services.add_client(adviser=adviser, client_ref="CR-001", first_name="Jeanne", last_name="Durand")


def _consent(client, adviser, handle="jeanne_d"):
    services.record_consent(
        client, by=adviser, method=Consent.Method.FORM, consent_date=dt.date(2026, 11, 30), x_handle=handle
    )


def test_the_list_shows_each_client_with_its_status(adviser, client_for):
    pending = services.add_client(adviser=adviser, client_ref="REF-PENDING", last_name="Pending")
    linked = services.add_client(adviser=adviser, client_ref="REF-LINKED", last_name="Linked")
    _consent(linked, adviser, "linked_one")
    Client.objects.filter(pk=linked.pk).update(x_user_id="42", handle_status=HandleStatus.RESOLVED)
    unknown = services.add_client(adviser=adviser, client_ref="REF-UNKNOWN", last_name="Unknown")
    _consent(unknown, adviser, "nobody_here")
    Client.objects.filter(pk=unknown.pk).update(handle_status=HandleStatus.UNKNOWN)
    gone = services.add_client(adviser=adviser, client_ref="REF-GONE", last_name="Gone")
    _consent(gone, adviser, "gone_one")
    services.withdraw_consent(gone, by=adviser)
    page = client_for(adviser).get(reverse("clients:list")).content.decode()
    for client, status in (
        (pending, "consent_pending"),
        (linked, "linked"),
        (unknown, "unresolved"),
        (gone, "withdrawn"),
    ):
        row = page.split(f">{client.client_ref}</td>", 1)[1].split("</tr>", 1)[0]
        assert f'data-status="{status}"' in row, (client.client_ref, row)
    assert "Handle unknown to X" in page and 'class="table stack"' in page


def test_search_finds_by_name_reference_or_handle(adviser, client_for, jeanne):
    services.add_client(adviser=adviser, client_ref="CR-002", last_name="Martin")
    _consent(jeanne, adviser)
    browser = client_for(adviser)
    for q in ("durand", "CR-001", "@jeanne_d"):
        page = browser.get(reverse("clients:list"), {"q": q}).content.decode()
        assert "CR-001" in page and "CR-002" not in page, q


def test_the_list_pages_by_keyset_in_a_constant_number_of_queries(adviser, client_for):
    browser = client_for(adviser)

    def count(n):
        Client.objects.filter(adviser=adviser).delete()
        for i in range(n):
            client = services.add_client(adviser=adviser, client_ref=f"R{n}-{i}", last_name=f"N{i}")
            if i % 2:
                _consent(client, adviser, f"h{n}_{i}")
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(reverse("clients:list")).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)
    count(60)
    first = browser.get(reverse("clients:list"))
    assert first.context["page"].older is not None and len(first.context["rows"]) == 50
    older = browser.get(reverse("clients:list"), {"before": first.context["page"].older})
    assert len(older.context["rows"]) == 10


def test_add_then_consent_then_edit_the_handle(adviser, client_for, settings):
    settings.CLIENT_CONSENT_WORDING_VERSION = "v9"
    browser = client_for(adviser)
    response = browser.post(
        reverse("clients:add"), {"client_ref": "CR-9", "first_name": "Ana", "last_name": "Lo"}
    )
    client = Client.objects.get(client_ref="CR-9")
    assert response.url == reverse("clients:consent", kwargs={"pk": client.pk})
    assert client.adviser == adviser and client.branch == adviser.staff.branch
    page = browser.get(response.url).content.decode()
    assert "v9" in page
    browser.post(
        response.url,
        {"method": "branch_visit", "consent_date": "2026-11-30", "x_handle": "https://x.com/ana_lo"},
    )
    client.refresh_from_db()
    assert (
        client.consent_given and client.x_handle == "ana_lo" and client.handle_status == HandleStatus.PENDING
    )
    assert client.current_consent.wording_version == "v9" and client.current_consent.method == "branch_visit"
    assert ArchiveRecord.objects.filter(event_type="client.consent_recorded").count() == 1
    browser.post(
        reverse("clients:edit", kwargs={"pk": client.pk}),
        {"first_name": "Ana", "last_name": "Lopez", "x_handle": "@ana_lopez"},
    )
    client.refresh_from_db()
    assert client.last_name == "Lopez" and client.x_handle == "ana_lopez"


def test_forms_show_errors_and_keep_what_was_typed(adviser, client_for, jeanne):
    browser = client_for(adviser)
    response = browser.post(
        reverse("clients:consent", kwargs={"pk": jeanne.pk}),
        {"method": "form", "consent_date": "2026-11-30", "x_handle": "jeanne-d!"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not an X handle" in page and 'value="jeanne-d!"' in page and 'value="2026-11-30"' in page
    jeanne.refresh_from_db()
    assert jeanne.current_consent is None
    response = browser.post(reverse("clients:add"), {"client_ref": "CR-001", "last_name": "Twin"})
    page = response.content.decode()
    assert "already in the book" in page and 'value="Twin"' in page
    assert Client.objects.filter(client_ref="CR-001").count() == 1


def test_withdraw_unlinks_and_is_archived(adviser, client_for, jeanne):
    _consent(jeanne, adviser)
    browser = client_for(adviser)
    url = reverse("clients:withdraw", kwargs={"pk": jeanne.pk})
    assert browser.get(url).status_code == 200
    assert browser.post(url).status_code == 302
    jeanne.refresh_from_db()
    assert not jeanne.consent_given and jeanne.x_handle == ""
    assert ArchiveRecord.objects.filter(event_type="client.consent_withdrawn").count() == 1


@pytest.mark.parametrize("route, reason", [("clients:delete", "deleted"), ("clients:erase", "request")])
def test_delete_and_erase_ask_first_then_erase(adviser, client_for, jeanne, route, reason):
    browser = client_for(adviser)
    url = reverse(route, kwargs={"pk": jeanne.pk})
    page = browser.get(url).content.decode()
    assert Client.objects.filter(pk=jeanne.pk).exists() and "CR-001" in page
    if route == "clients:erase":
        assert "archive keeps the public posts" in page
    browser.post(url)
    assert not Client.objects.filter(pk=jeanne.pk).exists()
    event = ArchiveRecord.objects.get(event_type="client.erased")
    assert f'"{reason}"' in event.payload_json and "CR-001" not in event.payload_json


@pytest.mark.parametrize("route", ROUTES)
def test_another_adviser_gets_404_on_every_route(adviser2, client_for, jeanne, route):
    _consent(jeanne, jeanne.adviser)
    browser = client_for(adviser2)
    url = reverse(route, kwargs={"pk": jeanne.pk})
    assert browser.get(url).status_code == 404
    assert (
        browser.post(url, {"first_name": "X", "method": "form", "consent_date": "2026-11-30"}).status_code
        == 404
    )
    jeanne.refresh_from_db()
    assert jeanne.first_name == "Jeanne" and jeanne.consent_given
    assert "CR-001" not in client_for(adviser2).get(reverse("clients:list")).content.decode()


def test_managers_read_their_scope_and_others_are_refused(
    adviser, adviser2, branch_manager, regional_manager, hr, marketer, compliance_officer, client_for, jeanne
):
    services.add_client(adviser=adviser2, client_ref="CR-NICE")
    lille = client_for(branch_manager).get(reverse("clients:scope")).content.decode()
    assert "CR-001" in lille and "CR-NICE" not in lille and reverse("clients:add") not in lille
    south = client_for(regional_manager).get(reverse("clients:scope")).content.decode()
    assert "CR-NICE" in south and "CR-001" not in south
    assert (
        client_for(branch_manager).get(reverse("clients:edit", kwargs={"pk": jeanne.pk})).status_code == 403
    )
    for person in (hr, marketer, compliance_officer):
        browser = client_for(person)
        assert browser.get(reverse("clients:list")).status_code == 403
        assert browser.get(reverse("clients:scope")).status_code == 403
