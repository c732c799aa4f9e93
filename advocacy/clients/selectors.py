"""Which clients a person may see, and the lookups relationships needs (read-only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from advocacy.clients.models import Client, HandleStatus
from advocacy.org.models import Role
from advocacy.org.selectors import branches_covered_by, roles_of


def clients_for(user, *, q: str = "") -> QuerySet[Client]:
    """Clients in ``user``'s scope: an adviser's own, a manager's branches, all for an administrator;
    none for HR, marketing and compliance (they have no purpose for client data)."""
    roles = roles_of(user)
    scope = Q(pk__in=[])
    if Role.ADMIN in roles:
        scope = Q()
    else:
        if Role.BRANCH_MANAGER in roles or Role.REGIONAL_MANAGER in roles:
            scope |= Q(branch__in=branches_covered_by(user))
        if Role.ADVISER in roles:
            scope |= Q(adviser_id=user.pk)
    qs = Client.objects.filter(scope).select_related("current_consent", "adviser")
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(client_ref__iexact=q)
            | Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(x_handle__iexact=q.lstrip("@"))
        )
    return qs


def linked_by_x_user_id(adviser_id: int, x_user_ids: Iterable[str]) -> dict[str, Client]:
    """The adviser's clients whose consent stands and whose handle resolved, by X user id."""
    ids = [i for i in set(x_user_ids) if i]
    if not ids:
        return {}
    qs = Client.objects.filter(
        adviser_id=adviser_id,
        x_user_id__in=ids,
        current_consent__given=True,
        current_consent__withdrawn_at__isnull=True,
    ).select_related("current_consent")
    return {c.x_user_id: c for c in qs}


def linked_by_x_user_id_for(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Client]:
    """``linked_by_x_user_id`` for many advisers at once (an ingestion batch): by (adviser id, X user id),
    in one query; the filter is the cross product of both id sets, and the pairs are kept in Python."""
    pairs = {(adviser_id, x_id) for adviser_id, x_id in pairs if x_id}
    if not pairs:
        return {}
    qs = Client.objects.filter(
        adviser_id__in={a for a, _ in pairs},
        x_user_id__in={x for _, x in pairs},
        current_consent__given=True,
        current_consent__withdrawn_at__isnull=True,
    ).select_related("current_consent")
    return {(c.adviser_id, c.x_user_id): c for c in qs if (c.adviser_id, c.x_user_id) in pairs}


# The client book's status of a client, as (code, label, badge class): what the adviser must do next.
STATUSES = {
    "linked": (_("Linked"), "badge-ok"),
    "consent_pending": (_("Consent pending"), ""),
    "withdrawn": (_("Consent withdrawn"), "badge-bad"),
    "unresolved": (_("Handle unknown to X"), "badge-warn"),
    "resolving": (_("Handle being resolved"), ""),
    "no_handle": (_("No handle"), ""),
}


def book_status(client: Client) -> tuple[str, str, str]:
    """Withdrawn before anything else (nothing may be linked), then no consent, then the handle's fate."""
    consent = client.current_consent
    if consent is not None and consent.withdrawn_at is not None:
        code = "withdrawn"
    elif not client.consent_given:
        code = "consent_pending"
    elif client.linked:
        code = "linked"
    elif client.handle_status in (HandleStatus.UNKNOWN, HandleStatus.ERROR):
        code = "unresolved"
    elif client.handle_status == HandleStatus.PENDING:
        code = "resolving"
    else:
        code = "no_handle"
    label, badge = STATUSES[code]
    return code, label, badge
