"""Demo data for the client book (``manage.py seed_demo`` calls ``seed_clients()`` after publishing's seed,
which connects the demo adviser: resolving handles needs a connected account to ask X with).

The demo adviser gets three clients, one in each state an adviser meets: Léa, consented at a branch visit,
whose handle is the scripted sandbox client that follows and replies to the adviser when the demo starts
(so her timeline and the inbox have something to show); Hugo, whose consent is not recorded yet (no handle
is kept); Inès, who withdrew hers. Idempotent: clients are found again by their reference.
"""

from __future__ import annotations

import datetime as dt
import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from advocacy.clients.models import Client, Consent
from advocacy.clients.resolution import resolve_pending
from advocacy.clients.services import add_client, record_consent, withdraw_consent

logger = logging.getLogger(__name__)

DEMO_ADVISER = "adviser@demo.relais.test"
DEMO_CLIENT_HANDLE = "client_lea_demo"  # advocacy.networks.x.demo.DEMO_CLIENT, the scripted sandbox client
# The X accounts of the consented clients in docs/demo/crm-clients.csv (the file a manager uploads in the
# demo), so that their handles resolve once imported.
CRM_FILE_HANDLES = (("antoine_demo", "Antoine Moreau"), ("emilie_demo", "Émilie Garçon"))


def _sandbox_user(username: str, name: str) -> None:
    """A client's X account exists in the sandbox before their handle is resolved (when it answers)."""
    try:
        requests.post(
            f"{settings.X_API_BASE_URL}/_sandbox/users",
            json={"username": username, "name": name},
            timeout=5,
        )
    except requests.RequestException:
        logger.info("X sandbox not reachable: the demo client's handle stays unresolved for now")


def seed_clients() -> dict:
    adviser = get_user_model().objects.filter(email=DEMO_ADVISER).first()
    if adviser is None:
        return {"clients": 0}
    today = timezone.localdate()
    made = 0
    if not Client.objects.filter(client_ref="DEMO-001").exists():
        for handle, name in CRM_FILE_HANDLES:
            _sandbox_user(handle, name)
    for ref, first, last in (
        ("DEMO-001", "Léa", "Martin"),
        ("DEMO-002", "Hugo", "Bernard"),
        ("DEMO-003", "Inès", "Petit"),
    ):
        if Client.objects.filter(client_ref=ref).exists():
            continue
        client = add_client(adviser=adviser, client_ref=ref, first_name=first, last_name=last)
        made += 1
        if ref == "DEMO-001":
            _sandbox_user(DEMO_CLIENT_HANDLE, "Léa Martin")
            record_consent(
                client,
                by=adviser,
                method=Consent.Method.BRANCH_VISIT,
                consent_date=today - dt.timedelta(days=12),
                x_handle=f"@{DEMO_CLIENT_HANDLE}",
            )
        elif ref == "DEMO-003":
            record_consent(
                client, by=adviser, method=Consent.Method.FORM, consent_date=today - dt.timedelta(days=40),
                x_handle="@ines_petit_demo",
            )  # fmt: skip
            withdraw_consent(Client.objects.get(pk=client.pk), by=adviser)
    resolved = resolve_pending() if made else {}
    return {"clients": made, **resolved}
