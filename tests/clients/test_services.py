"""Consent first, withdrawal unlinks at once, erasure leaves only a pseudonym in the archive."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from advocacy.clients import erasure, selectors, services
from advocacy.clients.models import Client, Consent, HandleStatus
from advocacy.clients.privacy import client_key
from compliance.archive.models import ArchiveRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(adviser):
    return services.add_client(adviser=adviser, client_ref="CR-001", first_name="Jeanne", last_name="Durand")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("@jeanne_d", "jeanne_d"),
        ("  jeanne_d ", "jeanne_d"),
        ("https://x.com/jeanne_d", "jeanne_d"),
        ("twitter.com/Jeanne_D/", "Jeanne_D"),
        ("https://www.twitter.com/jeanne_d?s=20", "jeanne_d"),
    ],
)
def test_normalise_handle_accepts_the_usual_forms(raw, expected):
    assert services.normalise_handle(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "@", "a" * 16, "jeanne-d", "https://x.com/", "https://example.com/jeanne"]
)
def test_normalise_handle_refuses_what_x_would_not_accept(raw):
    with pytest.raises(ValueError):
        services.normalise_handle(raw)


def test_a_client_starts_with_no_handle_and_no_link(book, adviser):
    assert book.branch == adviser.staff.branch
    assert book.x_handle == "" and book.handle_status == HandleStatus.NONE
    assert not book.linked


def test_a_handle_is_not_stored_without_consent(book, adviser):
    services.edit_client(book, by=adviser, first_name="Jeanne", last_name="Durand", x_handle="@jeanne_d")
    book.refresh_from_db()
    assert book.x_handle == ""


def test_consent_stores_the_handle_and_archives_a_pseudonym_only(book, adviser, settings):
    settings.CLIENT_CONSENT_WORDING_VERSION = "v7"
    services.record_consent(
        book, by=adviser, method=Consent.Method.FORM, consent_date=dt.date(2026, 11, 30), x_handle="@jeanne_d"
    )
    book.refresh_from_db()
    assert book.consent_given and book.x_handle == "jeanne_d" and book.handle_status == HandleStatus.PENDING
    assert book.current_consent.wording_version == "v7"
    event = ArchiveRecord.objects.get(event_type="client.consent_recorded")
    assert client_key("CR-001") in event.payload_json
    for clear in ("CR-001", "Jeanne", "Durand", "jeanne_d"):
        assert clear not in event.payload_json + event.subject_repr


def test_withdrawal_unlinks_at_once(book, adviser):
    services.record_consent(
        book,
        by=adviser,
        method=Consent.Method.BRANCH_VISIT,
        consent_date=dt.date(2026, 11, 30),
        x_handle="jd",
    )
    Client.objects.filter(pk=book.pk).update(x_user_id="42", handle_status=HandleStatus.RESOLVED)
    assert set(selectors.linked_by_x_user_id(adviser.pk, ["42"])) == {"42"}
    services.withdraw_consent(book, by=adviser)
    book.refresh_from_db()
    assert (book.x_handle, book.x_user_id, book.handle_status) == ("", "", HandleStatus.NONE)
    assert not book.linked and selectors.linked_by_x_user_id(adviser.pk, ["42"]) == {}
    assert book.current_consent.withdrawn_by == adviser
    event = ArchiveRecord.objects.get(event_type="client.consent_withdrawn")
    assert "CR-001" not in event.payload_json


def test_erasure_calls_the_relationship_eraser_then_archives_a_pseudonym(book, adviser, monkeypatch):
    seen = []
    monkeypatch.setitem(erasure._provided, "eraser", lambda c: seen.append(c.client_ref))
    erasure.erase_client(book, by=adviser)
    assert seen == ["CR-001"]
    assert not Client.objects.filter(pk=book.pk).exists()
    event = ArchiveRecord.objects.get(event_type="client.erased")
    assert client_key("CR-001") in event.payload_json
    assert "CR-001" not in event.payload_json and "Durand" not in event.payload_json + event.subject_repr


def test_another_adviser_cannot_edit_or_delete(book, adviser2):
    with pytest.raises(PermissionDenied):
        services.edit_client(book, by=adviser2, first_name="X", last_name="Y")
    with pytest.raises(PermissionDenied):
        services.remove_client(book, by=adviser2)
    assert Client.objects.filter(pk=book.pk).exists()


def test_scope_by_role(
    book, adviser, adviser2, branch_manager, regional_manager, administrator, hr, marketer, compliance_officer
):
    other = services.add_client(adviser=adviser2, client_ref="CR-002", last_name="Martin")
    assert list(selectors.clients_for(adviser)) == [book]
    assert list(selectors.clients_for(adviser2)) == [other]
    assert list(selectors.clients_for(branch_manager)) == [book]  # Lille
    assert list(selectors.clients_for(regional_manager)) == [other]  # the south
    assert set(selectors.clients_for(administrator)) == {book, other}
    for nobody in (hr, marketer, compliance_officer):
        assert not selectors.clients_for(nobody).exists()
