"""Applying a parsed CRM file: one transaction per row, updates by client_ref, never a duplicate.

A row is applied whole or not at all (its client, consent and handle together). An importer reaches only
the advisers of their scope: a manager's branches, all for an administrator or the command line
(``by=None``); a row for an adviser outside it, or updating a client of such an adviser, is a row error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from advocacy.clients import services
from advocacy.clients.crm_file import ClientRow, RowError
from advocacy.clients.models import Client, Consent
from advocacy.org.models import Role, StaffProfile
from advocacy.org.selectors import branches_covered_by, roles_of


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _allowed_branch_ids(by) -> set[int] | None:
    if by is None or Role.ADMIN in roles_of(by):
        return None
    return set(branches_covered_by(by).values_list("pk", flat=True))


def apply_rows(rows: list[ClientRow], *, adviser_column: str, by=None, progress=None) -> ImportResult:
    result = ImportResult()
    key = "user__email__iexact" if adviser_column == "adviser_email" else "employee_id"
    wanted = {r.adviser.lower() if adviser_column == "adviser_email" else r.adviser for r in rows}
    profiles = StaffProfile.objects.filter(branch__isnull=False, user__is_active=True).select_related("user")
    if adviser_column == "adviser_email":
        by_key = {p.user.email.lower(): p for p in profiles.filter(user__email__in=_cased(rows))}
    else:
        by_key = {p.employee_id: p for p in profiles.filter(**{f"{key}__in": wanted})}
    allowed = _allowed_branch_ids(by)
    existing = {c.client_ref: c for c in Client.objects.filter(client_ref__in=[r.client_ref for r in rows])}
    today = timezone.localdate()
    for index, row in enumerate(rows, start=1):
        profile = by_key.get(row.adviser.lower() if adviser_column == "adviser_email" else row.adviser)
        client = existing.get(row.client_ref)
        if profile is None:
            result.errors.append(
                RowError(row.line, adviser_column, "unknown_adviser", {"value": row.adviser})
            )
        elif allowed is not None and profile.branch_id not in allowed:
            result.errors.append(
                RowError(row.line, adviser_column, "adviser_out_of_scope", {"value": row.adviser})
            )
        elif allowed is not None and client is not None and client.branch_id not in allowed:
            result.errors.append(
                RowError(row.line, "client_ref", "ref_of_other_adviser", {"value": row.client_ref})
            )
        else:
            _apply_one(row, profile, client, by, today, result)
        if progress is not None and index % 500 == 0:
            progress(index)
    return result


def _cased(rows):
    emails = {r.adviser for r in rows}
    return emails | {e.lower() for e in emails}


def _apply_one(row: ClientRow, profile, client, by, today: dt.date, result: ImportResult) -> None:
    with transaction.atomic():
        if client is None:
            client = Client.objects.create(
                adviser=profile.user,
                branch=profile.branch,
                client_ref=row.client_ref,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            result.created += 1
        else:
            client.adviser, client.branch = profile.user, profile.branch
            client.first_name, client.last_name = row.first_name, row.last_name
            client.save(update_fields=["adviser", "branch", "first_name", "last_name", "updated_at"])
            result.updated += 1
        if row.consent and not client.consent_given:
            services.record_consent(
                client,
                by=by,
                method=Consent.Method.IMPORT,
                consent_date=row.consent_date or today,
                x_handle=row.x_handle,
            )
        elif row.consent and row.x_handle:
            services.edit_client(
                client,
                by=profile.user,
                first_name=row.first_name,
                last_name=row.last_name,
                x_handle=row.x_handle,
            )
        elif not row.consent and client.consent_given:
            services.withdraw_consent(client, by=by)
