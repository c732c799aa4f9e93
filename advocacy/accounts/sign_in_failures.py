"""Failed sign-ins: archived, and repeated failures on a privileged account alert compliance.

allauth calls ``RelaisAccountAdapter.authentication_failed`` when an e-mail and password do not sign anyone in
(a wrong password, an unknown address, a deactivated account). Each such attempt is archived as
``auth.sign_in_failed`` with the address typed, the account's id when there is one, and a keyed hash of the
source *network* (the /24 of an IPv4 address, the /48 of an IPv6 one, HMAC-SHA256 under ``SECRET_KEY``):
enough to see that attempts come from one place or from many, never an IP address. Attempts that allauth's
rate limit refuses before checking the password are not archived (they check nothing, and archiving them
would let anyone grow the archive at will).

When an account holding a privileged role (``advocacy.org.policies.privileged_roles``) has had
``SIGN_IN_ALERT_FAILURES`` failures within ``SIGN_IN_ALERT_WINDOW_MINUTES``, compliance officers are e-mailed
and ``auth.privileged_sign_in_alert`` is archived: once per window per account. The count is read from the
archive itself, under the archive's append lock (``record`` holds it until the transaction ends), so two
web processes failing at once cannot both send the alert, and no cache is involved.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from advocacy.org.models import Role, StaffProfile
from advocacy.org.policies import privileged_roles
from advocacy.org.selectors import roles_of, users_with_role
from compliance.archive.models import ArchiveRecord
from compliance.archive.privacy import source_network
from compliance.archive.services import record

FAILED = "auth.sign_in_failed"
ALERT = "auth.privileged_sign_in_alert"


@transaction.atomic
def record_failed_sign_in(*, email: str, ip: str) -> bool:
    """Archive one failed sign-in; returns whether it raised the alert for a privileged account."""
    email = (email or "").strip()[:254]
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    network = source_network(ip)
    record(
        FAILED,
        subject=user if user is not None else (f"email:{email.lower()}" if email else None),
        payload={"email": email, "user_id": user.pk if user else None, "network": network},
    )
    if user is None:
        return False
    roles = sorted(roles_of(user) & privileged_roles())
    if not roles:
        return False
    window = timedelta(minutes=settings.SIGN_IN_ALERT_WINDOW_MINUTES)
    mine = ArchiveRecord.objects.filter(subject_user_id=user.pk, recorded_at__gte=timezone.now() - window)
    failures = list(mine.filter(event_type=FAILED).values_list("payload_json", flat=True))
    if len(failures) < settings.SIGN_IN_ALERT_FAILURES or mine.filter(event_type=ALERT).exists():
        return False
    networks = len({_network_of(payload) for payload in failures} - {""})
    record(
        ALERT,
        subject=user,
        payload={
            "user_id": user.pk,
            "email": user.email,
            "roles": roles,
            "failures": len(failures),
            "window_minutes": settings.SIGN_IN_ALERT_WINDOW_MINUTES,
            "networks": networks,
        },
    )
    from advocacy.accounts.tasks import alert_compliance_of_sign_in_failures

    transaction.on_commit(
        lambda: alert_compliance_of_sign_in_failures.delay(user.pk, len(failures), networks)
    )
    return True


def _network_of(payload_json: str) -> str:
    return json.loads(payload_json).get("network", "")


def alert_compliance(*, user_id: int, failures: int, networks: int) -> int:
    """E-mail every compliance officer, each in their language; returns how many were e-mailed."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    roles = sorted(roles_of(user) & privileged_roles())
    sent = 0
    for officer in users_with_role(Role.COMPLIANCE).exclude(email=""):
        language = StaffProfile.objects.filter(user_id=officer.pk).values_list("language", flat=True).first()
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {
                "officer": officer,
                "account": user,
                "roles": [str(Role(role).label) for role in roles],
                "failures": failures,
                "networks": networks,
                "minutes": settings.SIGN_IN_ALERT_WINDOW_MINUTES,
                "archive_url": f"{settings.PUBLIC_BASE_URL}{reverse('archive:search')}?event_type={FAILED}",
                "bank_name": settings.RELAIS_BANK_NAME,
            }
            subject = render_to_string("accounts/email/sign_in_alert_subject.txt", context).strip()
            body = render_to_string("accounts/email/sign_in_alert_message.txt", context)
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [officer.email])
        sent += 1
    return sent
