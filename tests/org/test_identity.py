"""Sign-in addresses: a changed address waits for an administrator, the old one is told, sessions end;
staff addresses and invitations stay in the bank's domains."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from advocacy.accounts.invitations import send_invitation
from advocacy.org.identity import confirm_email_change, request_email_change
from advocacy.org.models import EmailChangeRequest
from advocacy.org.policies import NotAllowed
from tests.org.conftest import archived

pytestmark = pytest.mark.django_db
User = get_user_model()


def row(user, email: str, roles: str = "adviser") -> str:
    return f"{user.staff.employee_id},{email},{user.first_name},{user.last_name},LIL01,{roles},en"


def reset_password(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = False


def test_hr_cannot_take_over_an_account_by_changing_its_address(hr, adviser, upload_roster, client):
    old = adviser.email
    roster_import = upload_roster(hr, row(adviser, "hr-mailbox@bank.test"))

    adviser.refresh_from_db()
    assert adviser.email == old  # unchanged until an administrator confirms
    change = EmailChangeRequest.objects.get(profile=adviser.staff)
    assert (change.status, change.old_email, change.new_email, change.requested_by) == (
        "pending",
        old,
        "hr-mailbox@bank.test",
        hr,
    )
    [notice] = roster_import.errors
    assert notice["column"] == "email" and "once an administrator confirms it" in notice["message"]
    [told] = mail.outbox
    assert told.to == [old] and "hr-mailbox@bank.test" in told.body and "Nadia" in told.body

    mail.outbox.clear()
    reset_password(client, "hr-mailbox@bank.test")
    assert mail.outbox == []  # the reset goes nowhere new
    reset_password(client, old)
    assert [m.to for m in mail.outbox] == [[old]]

    [asked] = archived("staff.email_change_requested")
    assert asked.actor_id == hr.pk and asked.subject_user_id == adviser.pk
    assert asked.payload == {
        "request_id": change.pk,
        "employee_id": adviser.staff.employee_id,
        "old_email": old,
        "new_email": "hr-mailbox@bank.test",
        "via": "roster",
    }


def test_re_importing_the_same_file_neither_piles_up_requests_nor_mails_again(hr, adviser, upload_roster):
    upload_roster(hr, row(adviser, "camille.new@bank.test"))
    mail.outbox.clear()
    roster_import = upload_roster(hr, row(adviser, "camille.new@bank.test"))
    assert roster_import.unchanged_count == 1
    assert EmailChangeRequest.objects.filter(profile=adviser.staff).count() == 1
    assert mail.outbox == []
    assert len(archived("staff.email_change_requested")) == 1


def test_an_administrator_confirms_the_change_and_the_persons_sessions_end(
    hr, adviser, administrator, upload_roster, client_for, django_capture_on_commit_callbacks
):
    old = adviser.email
    upload_roster(hr, row(adviser, "camille.martin@bank.test"))
    change = EmailChangeRequest.objects.get()
    advisers_browser = client_for(adviser)
    assert advisers_browser.get(reverse("portal:home")).status_code == 200
    mail.outbox.clear()

    page = client_for(administrator).get(reverse("org:approvals")).content.decode()
    assert "camille.martin@bank.test" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("org:decide_email_change", args=[change.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert adviser.email == "camille.martin@bank.test"
    assert list(adviser.emailaddress_set.values_list("email", "primary", "verified")) == [
        ("camille.martin@bank.test", True, True)
    ]
    home = advisers_browser.get(reverse("portal:home"))
    assert home.status_code == 302 and "/accounts/login/" in home["Location"]  # signed out everywhere
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [old, "camille.martin@bank.test"]
    )
    [changed] = archived("staff.email_changed")
    assert changed.actor_id == administrator.pk
    assert changed.payload["old_email"] == old and changed.payload["new_email"] == "camille.martin@bank.test"
    assert changed.payload["requested_by"]["id"] == hr.pk
    assert changed.payload["sessions_ended"] == 1


def test_the_requester_cannot_confirm_their_own_address_change(
    administrator, administrator2, adviser, client_for
):
    client = client_for(administrator)
    client.post(reverse("org:staff_request_email", args=[adviser.staff.pk]), {"new_email": "x.y@bank.test"})
    change = EmailChangeRequest.objects.get()
    response = client.post(
        reverse("org:decide_email_change", args=[change.pk]), {"decision": "approve"}, follow=True
    )
    assert "a second administrator must approve it" in response.content.decode()
    adviser.refresh_from_db()
    assert adviser.email != "x.y@bank.test"
    assert confirm_email_change(change=EmailChangeRequest.objects.get(), actor=administrator2) is True


def test_nobody_but_an_administrator_confirms_and_nobody_confirms_their_own(
    hr, adviser, administrator, personas, upload_roster
):
    upload_roster(hr, row(administrator, "admin.new@bank.test", roles="admin"))
    change = EmailChangeRequest.objects.get(profile=administrator.staff)
    with pytest.raises(NotAllowed, match="concerns you"):
        confirm_email_change(change=change, actor=administrator)
    for role in ("adviser", "branch_manager", "compliance", "marketing", "hr"):
        with pytest.raises(NotAllowed):
            confirm_email_change(change=change, actor=personas[role])
    administrator.refresh_from_db()
    assert administrator.email != "admin.new@bank.test"


def test_addresses_outside_the_banks_domains_are_refused(settings, hr, adviser, upload_roster):
    settings.INVITE_ALLOWED_EMAIL_DOMAINS = ["bank.test"]
    roster_import = upload_roster(
        hr,
        "N1,new@gmail.example,Ann,New,LIL01,adviser,en",
        row(adviser, "camille@gmail.example"),
        "N2,ok@branch.bank.test,Ok,Fine,LIL01,adviser,en",
        send_invitations=True,
    )
    assert (roster_import.created_count, roster_import.error_count) == (1, 2)
    assert [(e["line"], e["column"]) for e in roster_import.errors] == [(2, "email"), (3, "email")]
    assert "staff addresses must end in @bank.test" in roster_import.errors[0]["message"]
    assert not User.objects.filter(email="new@gmail.example").exists()
    assert not EmailChangeRequest.objects.exists()
    assert [m.to for m in mail.outbox] == [["ok@branch.bank.test"]]  # the one invitation


def test_an_invitation_never_leaves_the_banks_domains(settings, adviser):
    User.objects.filter(pk=adviser.pk).update(email="legacy@elsewhere.example")  # stored before the rule
    adviser.refresh_from_db()
    settings.INVITE_ALLOWED_EMAIL_DOMAINS = ["bank.test"]
    with pytest.raises(NotAllowed, match="not an address of the bank"):
        send_invitation(user=adviser)
    assert mail.outbox == []


def test_an_address_already_in_use_is_refused(administrator, adviser, adviser2):
    with pytest.raises(NotAllowed, match="already the address of another account"):
        request_email_change(
            profile=adviser.staff, new_email=adviser2.email.upper(), actor=administrator, via="portal"
        )
