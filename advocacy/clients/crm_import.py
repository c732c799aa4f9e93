"""Applying a parsed CRM file: updates by client_ref, never a duplicate, each row whole or not at all.

Rows go in chunks (``CHUNK_ROWS``): one transaction per chunk reads the chunk's existing clients (locked),
creates (``COPY`` on PostgreSQL), updates and withdraws in bulk and archives the consents recorded or
withdrawn in one ``record_many``, so a 100,000-row file costs a few hundred queries, not a few per row. A
chunk that the database refuses (a client of the same reference added by hand meanwhile) is applied again
row by row, each row in its own transaction: the row that fails is a row error, the others go in; nothing
is ever half-applied (a client without the consent or the archive record of the same row).

An importer reaches only the advisers of their scope: a manager's branches, all for an administrator or
the command line (``by=None``); a row for an adviser outside it, or updating a client of such an adviser,
is a row error. The scope is read when the import runs (in the worker), not when the file was uploaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DataError, IntegrityError, connections, router, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from advocacy.clients.crm_file import ClientRow, RowError, adviser_key
from advocacy.clients.models import Client, Consent, HandleStatus
from advocacy.clients.privacy import client_key
from advocacy.org.models import Role, StaffProfile
from advocacy.org.selectors import branches_covered_by, roles_of

CHUNK_ROWS = 1000
AMBIGUOUS = object()  # two members of staff share the address (in different cases)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, other: ImportResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)


def _allowed_branch_ids(by) -> set[int] | None:
    """None: every branch (an administrator, the command line); else the branches ``by`` manages now (an
    empty set for someone who lost the manager's role since uploading)."""
    if by is None or Role.ADMIN in roles_of(by):
        return None
    return set(branches_covered_by(by).values_list("pk", flat=True))


def advisers_for(rows: list[ClientRow], adviser_column: str) -> dict[str, object]:
    """The active staff with a branch named by the rows, in one query, keyed by ``adviser_key``."""
    keys = {adviser_key(r.adviser, adviser_column) for r in rows}
    profiles = StaffProfile.objects.filter(branch__isnull=False, user__is_active=True).select_related("user")
    if adviser_column == "adviser_email":
        profiles = profiles.annotate(email_key=Lower("user__email")).filter(email_key__in=keys)
    else:
        profiles = profiles.filter(employee_id__in=keys)
    found: dict[str, object] = {}
    for profile in profiles:
        key = adviser_key(
            profile.user.email if adviser_column == "adviser_email" else profile.employee_id, adviser_column
        )
        found[key] = AMBIGUOUS if key in found else profile
    return found


def apply_rows(
    rows: list[ClientRow],
    *,
    adviser_column: str,
    by=None,
    progress: Callable[[int, ImportResult], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportResult:
    """Apply ``rows`` (already parsed, each valid on its own); ``progress(rows done, result so far)`` after
    each chunk. Safe to run twice on the same rows: the second run finds them unchanged."""
    result = ImportResult()
    advisers = advisers_for(rows, adviser_column)
    allowed = _allowed_branch_ids(by)
    for start in range(0, len(rows), chunk_rows):
        chunk = rows[start : start + chunk_rows]
        ready = []
        for row in chunk:
            profile = advisers.get(adviser_key(row.adviser, adviser_column))
            params = {"value": row.adviser}
            if profile is None:
                result.errors.append(RowError(row.line, adviser_column, "unknown_adviser", params))
            elif profile is AMBIGUOUS:
                result.errors.append(RowError(row.line, adviser_column, "ambiguous_adviser", params))
            elif allowed is not None and profile.branch_id not in allowed:
                result.errors.append(RowError(row.line, adviser_column, "adviser_out_of_scope", params))
            else:
                ready.append((row, profile))
        result.add(_apply_or_split(ready, by=by, allowed=allowed))
        if progress is not None:
            progress(start + len(chunk), result)
    return result


def _apply_or_split(ready, *, by, allowed) -> ImportResult:
    if not ready:
        return ImportResult()
    try:
        with transaction.atomic():
            return _apply_chunk(ready, by=by, allowed=allowed)
    except (IntegrityError, DataError):  # a row the database refuses; a lost connection stops the import
        if len(ready) == 1:
            row = ready[0][0]
            return ImportResult(
                errors=[RowError(row.line, "client_ref", "row_failed", {"value": row.client_ref})]
            )
    outcome = ImportResult()
    for item in ready:
        outcome.add(_apply_or_split([item], by=by, allowed=allowed))
    return outcome


def _set(client: Client, changed: set[str], **values) -> None:
    for name, value in values.items():
        if getattr(client, name) != value:
            setattr(client, name, value)
            changed.add(name)


def _set_handle(client: Client, handle: str, changed: set[str]) -> None:
    """A new handle is resolved again (its X id is unknown until then); the same handle in another case is
    the same account."""
    if handle and handle.lower() != client.x_handle.lower():
        _set(
            client,
            changed,
            x_handle=handle,
            x_user_id="",
            handle_status=HandleStatus.PENDING,
            handle_resolved_at=None,
        )


def _would_change(client: Client, row: ClientRow, profile) -> bool:
    """Whether the row changes this client (as ``_apply_chunk`` decides it), read before locking."""
    if (client.adviser_id, client.branch_id, client.first_name, client.last_name) != (
        profile.user_id,
        profile.branch_id,
        row.first_name,
        row.last_name,
    ):
        return True
    if row.consent:
        return not client.consent_given or bool(
            row.x_handle and row.x_handle.lower() != client.x_handle.lower()
        )
    return row.consent is False and client.consent_given


def _create_clients(new_rows, *, by, now, today, version) -> list[tuple[str, object, dt.date]]:
    """Create the chunk's new clients and the consents their rows give; returns (client_ref, adviser,
    consent date) of each consent recorded, for the archive.

    PostgreSQL: the ids of both tables are taken from their sequences first, so that each client is written
    once with its ``current_consent`` already set (Django's foreign keys are checked at commit), and both
    tables are filled by ``COPY``. Building a model instance and preparing every field per row, then
    updating each new client again to point at its consent, cost more than the database's own work: raw on
    purpose, the 100,000-row bench's importing process went from 42.4 to 19.3 s of CPU (bench/README.md,
    "Client import"). Other databases (the embedded default): the same through the ORM."""
    if not new_rows:
        return []
    consenting = [(row, profile) for row, profile in new_rows if row.consent]
    recorded = [(row.client_ref, profile.user, row.consent_date or today) for row, profile in consenting]
    connection = connections[router.db_for_write(Client)]
    if connection.vendor != "postgresql":
        _create_clients_orm(new_rows, by=by, today=today, version=version)
        return recorded
    by_id = by.pk if by is not None else None
    # COPY goes around Django's cursor wrapper: its errors are made Django's (IntegrityError, DataError) here,
    # so that a refused chunk is applied row by row as any other.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        client_ids = _next_ids(cursor, Client, len(new_rows))
        consent_ids = iter(_next_ids(cursor, Consent, len(consenting)))
        consents = []  # the Consent table's rows
        with cursor.copy(_copy_sql(Client, _CLIENT_COPY)) as copy:
            for client_id, (row, profile) in zip(client_ids, new_rows, strict=True):
                consent_id, handle = None, ""
                if row.consent:
                    consent_id, handle = next(consent_ids), row.x_handle
                    consents.append(
                        (
                            consent_id,
                            client_id,
                            True,
                            by_id,
                            now,
                            Consent.Method.IMPORT.value,
                            version,
                            row.consent_date or today,
                        )
                    )
                copy.write_row(
                    (
                        client_id,
                        profile.user_id,
                        profile.branch_id,
                        row.client_ref,
                        row.first_name,
                        row.last_name,
                        handle,
                        "",
                        (HandleStatus.PENDING if handle else HandleStatus.NONE).value,
                        consent_id,
                        now,
                        now,
                    )
                )
        if consents:
            with cursor.copy(_copy_sql(Consent, _CONSENT_COPY)) as copy:
                for consent in consents:
                    copy.write_row(consent)
    return recorded


# The columns COPY writes, in the order of the rows above (every other column is nullable and starts empty).
_CLIENT_COPY = (
    "id",
    "adviser",
    "branch",
    "client_ref",
    "first_name",
    "last_name",
    "x_handle",
    "x_user_id",
    "handle_status",
    "current_consent",
    "created_at",
    "updated_at",
)
_CONSENT_COPY = (
    "id",
    "client",
    "given",
    "recorded_by",
    "recorded_at",
    "method",
    "wording_version",
    "consent_date",
)


def _copy_sql(model, fields) -> str:
    quote = connections[router.db_for_write(model)].ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"


def _next_ids(cursor, model, count: int) -> list[int]:
    """``count`` new ids from the sequence of ``model``'s primary key, ascending (a sequence never hands a
    value out twice, even to a transaction that rolled back)."""
    if not count:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
        [
            connections[router.db_for_write(model)].ops.quote_name(model._meta.db_table),
            model._meta.pk.column,
            count,
        ],
    )
    return [pk for (pk,) in cursor.fetchall()]


def _create_clients_orm(new_rows, *, by, today, version) -> None:
    clients = []
    for row, profile in new_rows:
        client = Client(
            adviser=profile.user,
            branch_id=profile.branch_id,
            client_ref=row.client_ref,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        if row.consent:
            _set_handle(client, row.x_handle, set())
        clients.append(client)
    Client.objects.bulk_create(clients)
    consents = Consent.objects.bulk_create(
        Consent(
            client=client,
            given=True,
            recorded_by=by,
            method=Consent.Method.IMPORT,
            wording_version=version,
            consent_date=row.consent_date or today,
        )
        for client, (row, _profile) in zip(clients, new_rows, strict=True)
        if row.consent
    )
    if consents:
        # A new client's only consent is its current one: one UPDATE for the chunk (bulk_update's CASE over
        # hundreds of ids costs more than the rest of the chunk together).
        only_consent = Consent.objects.filter(client=OuterRef("pk")).order_by("-pk").values("pk")[:1]
        Client.objects.filter(pk__in=[c.client_id for c in consents]).update(
            current_consent=Subquery(only_consent)
        )


def _apply_chunk(ready, *, by, allowed) -> ImportResult:
    """One transaction (the caller's): the chunk's clients, consents and archive records together."""
    from compliance.archive.services import Event, record_many

    outcome = ImportResult()
    now = timezone.now()
    today = timezone.localdate()
    version = settings.CLIENT_CONSENT_WORDING_VERSION
    found = Client.objects.select_related("current_consent")
    existing = {c.client_ref: c for c in found.filter(client_ref__in=[row.client_ref for row, _p in ready])}
    # Lock (and read again) only the clients this chunk will change: a re-import of an unchanged book then
    # writes nothing at all, not even row locks.
    touched = [
        row.client_ref
        for row, profile in ready
        if row.client_ref in existing and _would_change(existing[row.client_ref], row, profile)
    ]
    if touched:
        locked = found.select_for_update(of=("self",)).filter(client_ref__in=touched)
        existing.update({c.client_ref: c for c in locked})
    new_rows = []  # (row, profile) of the clients to create
    consenting: list[tuple[Client, dt.date]] = []  # (existing client, consent date): a consent to record
    adviser_of: dict[str, object] = {}  # client_ref -> the row's adviser (the archive events' subject)
    changed_clients: dict[int, Client] = {}
    changed_fields: set[str] = set()
    withdrawn: list[int] = []  # consent ids
    events: list[Event] = []
    for row, profile in ready:
        client = existing.get(row.client_ref)
        if client is None:
            new_rows.append((row, profile))
            outcome.created += 1
            continue
        adviser_of[row.client_ref] = profile.user
        if allowed is not None and client.branch_id not in allowed:
            outcome.errors.append(
                RowError(row.line, "client_ref", "ref_of_other_adviser", {"value": row.client_ref})
            )
            continue
        changed: set[str] = set()
        _set(
            client,
            changed,
            adviser_id=profile.user_id,
            branch_id=profile.branch_id,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        consents_now = bool(row.consent and not client.consent_given)
        if consents_now:
            _set_handle(client, row.x_handle, changed)
            consenting.append((client, row.consent_date or today))
        elif row.consent:
            _set_handle(client, row.x_handle, changed)
        elif row.consent is False and client.consent_given:
            withdrawn.append(client.current_consent_id)
            _set(
                client,
                changed,
                x_handle="",
                x_user_id="",
                handle_status=HandleStatus.NONE,
                handle_resolved_at=None,
            )
            events.append(
                Event(
                    "client.consent_withdrawn",
                    profile.user,
                    by,
                    {"client_key": client_key(client.client_ref)},
                )
            )
        if changed or consents_now:
            outcome.updated += 1
            changed_clients[client.pk] = client
            changed_fields |= changed
        else:
            outcome.unchanged += 1
    recorded = _create_clients(new_rows, by=by, now=now, today=today, version=version)
    if withdrawn:
        Consent.objects.filter(pk__in=withdrawn).update(withdrawn_at=now, withdrawn_by=by)
    consents = [
        Consent(
            client=client,
            given=True,
            recorded_by=by,
            method=Consent.Method.IMPORT,
            wording_version=version,
            consent_date=date,
        )
        for client, date in consenting
    ]
    Consent.objects.bulk_create(consents)
    for consent in consents:
        consent.client.current_consent = consent
        recorded.append(
            (consent.client.client_ref, adviser_of[consent.client.client_ref], consent.consent_date)
        )
    for client_ref, adviser, consent_date in recorded:
        events.append(
            Event(
                "client.consent_recorded",
                adviser,
                by,
                {
                    "client_key": client_key(client_ref),
                    "method": Consent.Method.IMPORT,
                    "wording_version": version,
                    "consent_date": consent_date.isoformat(),
                },
            )
        )
    if changed_clients:
        fields = changed_fields | {"updated_at"}
        if consents:
            fields.add("current_consent")
        for client in changed_clients.values():
            client.updated_at = now
        fields = [{"adviser_id": "adviser", "branch_id": "branch"}.get(f, f) for f in sorted(fields)]
        Client.objects.bulk_update(list(changed_clients.values()), fields, batch_size=500)
    if events:
        record_many(events)
    return outcome
