"""Failed sign-ins are archived (address, account, hashed source network, never the IP), and repeated
failures on a privileged account alert compliance officers once per window."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from advocacy.accounts.sign_in_failures import record_failed_sign_in, source_network
from advocacy.org.models import Role
from compliance.archive.models import ArchiveRecord
from tests.auth.conftest import sign_in

pytestmark = pytest.mark.django_db


def _archived(event_type: str) -> list[ArchiveRecord]:
    return list(ArchiveRecord.objects.filter(event_type=event_type).order_by("seq"))


def _browser(ip: str = "203.0.113.7") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ip)


@pytest.fixture
def officers(make_staff):
    return [
        make_staff(Role.COMPLIANCE, first_name="Chloé", language="fr"),
        make_staff(Role.COMPLIANCE, first_name="Sam", language="en"),
    ]


def test_a_wrong_password_is_archived_with_the_account_and_a_hashed_network_never_the_ip(make_staff):
    adviser = make_staff(Role.ADVISER)
    response = sign_in(_browser(), adviser, "not-the-password-1")
    assert response.status_code == 200  # the usual form error
    (failed,) = _archived("auth.sign_in_failed")
    payload = json.loads(failed.payload_json)
    network = source_network("203.0.113.7")
    assert payload == {"email": adviser.email, "user_id": adviser.pk, "network": network}
    assert failed.subject_user_id == adviser.pk and failed.actor_id is None
    assert "203.0.113" not in failed.payload_json and len(payload["network"]) == 32


def test_an_unknown_address_is_archived_without_an_account(db):
    sign_in(_browser(), "nobody@bank.test", "not-the-password-1")
    (failed,) = _archived("auth.sign_in_failed")
    assert json.loads(failed.payload_json)["user_id"] is None
    assert failed.subject_ref == "email:nobody@bank.test" and failed.subject_user_id is None


def test_a_successful_sign_in_archives_no_failure(make_staff):
    sign_in(_browser(), make_staff(Role.ADVISER))
    assert not _archived("auth.sign_in_failed")


def test_the_network_hash_groups_a_24_or_a_48_and_is_keyed(settings):
    assert source_network("203.0.113.7") == source_network("203.0.113.200")
    assert source_network("203.0.113.7") != source_network("203.0.114.7")
    assert source_network("::ffff:203.0.113.9") == source_network("203.0.113.7")
    assert source_network("2001:db8:1:ab::1") == source_network("2001:db8:1:cd::2")
    assert source_network("2001:db8:1::1") != source_network("2001:db8:2::1")
    assert source_network("") == source_network("unknown") == ""
    before = source_network("203.0.113.7")
    settings.SECRET_KEY = "another-key-" * 5
    assert source_network("203.0.113.7") != before


def test_repeated_failures_on_a_privileged_account_alert_compliance_once_per_window(
    make_staff, officers, django_capture_on_commit_callbacks
):
    admin = make_staff(Role.ADMIN, first_name="Dominique")
    for n in range(4):
        sign_in(_browser(f"198.51.100.{n}"), admin, "not-the-password-1")
    assert not _archived("auth.privileged_sign_in_alert") and not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):  # the fifth (the default) within 15 minutes
        sign_in(_browser("203.0.113.7"), admin, "not-the-password-1")

    (alert,) = _archived("auth.privileged_sign_in_alert")
    assert json.loads(alert.payload_json) == {
        "user_id": admin.pk, "email": admin.email, "roles": ["admin"], "failures": 5, "window_minutes": 15,
        "networks": 2,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in officers)
    french = next(m for m in mail.outbox if m.to == [officers[0].email])
    english = next(m for m in mail.outbox if m.to == [officers[1].email])
    assert admin.email in english.subject and "5 sign-ins failed" in english.body
    assert "/archive/?event_type=auth.sign_in_failed" in english.body
    assert "connexion" in french.subject.lower() and admin.email in french.body

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # allauth's rate limit now refuses the form; the service counts, alerts no more
            record_failed_sign_in(email=admin.email, ip="203.0.113.7")
    assert len(_archived("auth.privileged_sign_in_alert")) == 1 and len(mail.outbox) == len(officers)
    assert len(_archived("auth.sign_in_failed")) == 8


def test_failures_on_an_adviser_account_are_archived_but_alert_nobody(make_staff, officers):
    adviser = make_staff(Role.ADVISER)
    for _ in range(6):
        record_failed_sign_in(email=adviser.email, ip="203.0.113.7")
    assert len(_archived("auth.sign_in_failed")) == 6
    assert not _archived("auth.privileged_sign_in_alert") and not mail.outbox
