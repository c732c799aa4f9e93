"""Applying HR's staff roster: the file's rows, read by the pure functions of ``advocacy.accounts.roster``,
become staff accounts, each written through ``advocacy.org.services.upsert_staff``.

HR's CSV roster is the source of truth for who works at the bank. ``import_staff_roster`` is shared by
``manage.py import_staff`` and the upload page's worker (``advocacy.accounts.roster_uploads``). Here are the
checks that need the database (an e-mail someone else owns, a role this actor may not grant) and the
batching that keeps a 50,000-row file from holding one long transaction.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from advocacy.accounts.invitations import send_invitation
from advocacy.accounts.roster import Roster, RowError, StaffRow, read_roster
from advocacy.accounts.roster_messages import _, ngettext
from advocacy.org.models import Branch, EmailChangeRequest, StaffProfile, StaffRole
from advocacy.org.policies import (
    NotAllowed,
    email_domain_refusal,
    grant_refusal,
    is_administrator,
    privileged_roles,
    role_label,
)
from advocacy.org.privileges import request_privileged_role
from advocacy.org.services import (
    StaffData,
    deactivate_staff,
    first_name_problem,
    privileged_additions,
    upsert_staff,
)
from compliance.archive.services import record

logger = logging.getLogger(__name__)
User = get_user_model()

ROSTER_BATCH_SIZE = 250  # rows per transaction, and how often progress is reported


@dataclass
class RosterOutcome:
    total_rows: int = 0
    processed_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    invited: int = 0
    rejected: int = 0  # rows with at least one error, not imported
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "invited": self.invited,
            "rejected": self.rejected,
        }


@dataclass(frozen=True, slots=True)
class _Known:
    """What the database already holds about one employee id: plain values, looked up once per import."""

    profile_id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    branch_id: int | None
    language: str
    time_zone: str
    is_active: bool
    roles: frozenset[str]


def import_staff_roster(
    *,
    data: bytes,
    filename: str,
    actor=None,
    deactivate_missing: bool = False,
    invite: bool = False,
    dry_run: bool = False,
    subject=None,
    progress: Callable[[RosterOutcome], None] | None = None,
    batch_size: int = ROSTER_BATCH_SIZE,
) -> RosterOutcome:
    """Create or update every valid row of a roster file; report the others by line and column.

    Raises ``RosterFileError`` when the file cannot be read at all, before anything is written. Rows are
    written in batches of ``batch_size``, one transaction each, so progress is visible to other
    connections and a crash keeps what was done (re-importing the same file is safe: the key is the
    employee id). New staff are invited after their batch commits, outside any transaction. With
    ``dry_run`` nothing is written and the counts say what would happen.

    What a file may not do is refused by row, before anything is written: a first name that could not fill
    a template slot, an address outside the bank's domains, a privileged role asked for by anyone but an
    administrator (or by an administrator for themselves). An administrator's file turns privileged roles
    into pending grant requests for a second administrator; a changed address becomes a pending change an
    administrator confirms. Privileged roles the file leaves out are kept: they are removed on the portal.
    """
    branches = {branch.code: branch for branch in Branch.objects.all()}
    roster = read_roster(data, branch_codes=branches)
    outcome = RosterOutcome(total_rows=roster.total_rows)
    known = _known_staff()
    owners = _email_owners()
    pending_emails = dict(
        EmailChangeRequest.objects.filter(status=EmailChangeRequest.Status.PENDING).values_list(
            "profile_id", "new_email"
        )
    )
    actor_is_admin = is_administrator(actor)
    pending: list[StaffRow] = []
    seen = 0

    for row, errors in roster.rows():
        seen += 1
        if row is not None:
            conflict = _email_conflict(row, roster=roster, known=known, owners=owners) or _rule_problem(
                row, roster=roster, known=known, owners=owners, actor=actor
            )
            if conflict is not None:
                row, errors = None, [conflict]
        if row is None:
            outcome.rejected += 1
            outcome.errors.extend(errors)
        else:
            pending.append(row)
        if seen == batch_size:
            _apply(pending, branches=branches, known=known, outcome=outcome, actor=actor, invite=invite,
                   dry_run=dry_run, roster=roster, pending_emails=pending_emails,
                   actor_is_admin=actor_is_admin)
            outcome.processed_rows += seen
            pending, seen = [], 0
            if progress:
                progress(outcome)
    _apply(pending, branches=branches, known=known, outcome=outcome, actor=actor, invite=invite,
           dry_run=dry_run, roster=roster, pending_emails=pending_emails, actor_is_admin=actor_is_admin)
    outcome.processed_rows += seen

    if deactivate_missing:
        _deactivate_missing(roster=roster, known=known, outcome=outcome, actor=actor, dry_run=dry_run)
    outcome.errors.sort(key=lambda e: (e.line is not None, e.line or 0))
    if not dry_run:
        record(
            "staff.roster_imported",
            subject=subject,
            actor=actor,
            payload={
                "filename": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "deactivate_missing": deactivate_missing,
                "invite": invite,
                **outcome.counts(),
            },
        )
    if progress:
        progress(outcome)
    return outcome


def _apply(rows: list[StaffRow], *, branches, known, outcome: RosterOutcome, actor, invite: bool,
           dry_run: bool, roster: Roster, pending_emails: dict[int, str], actor_is_admin: bool) -> None:
    new_staff: list[tuple[int, int]] = []  # (user id, line) of people to invite once the batch commits
    email_header = roster.header("email")
    with transaction.atomic():
        for row in rows:
            branch = branches[row.branch_code] if row.branch_code else None
            before = known.get(row.employee_id)
            # Only an administrator's rows get this far with privileged roles to add (_rule_problem).
            additions = privileged_additions(wanted=row.roles, current=before.roles if before else ())
            roles = row.roles - set(additions)
            unchanged = before is not None and _unchanged(before, row, branch, roles, pending_emails)
            if unchanged and not additions:
                outcome.unchanged += 1
                _note_pending_email(row, before, outcome, email_header)
                continue
            if dry_run:
                if before is None:
                    outcome.created += 1
                elif unchanged:
                    outcome.unchanged += 1
                else:
                    outcome.updated += 1
                continue
            if unchanged:
                outcome.unchanged += 1
                profile = StaffProfile.objects.select_related("user").get(pk=before.profile_id)
            else:
                data = StaffData(
                    employee_id=row.employee_id,
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    branch=branch,
                    roles=frozenset(roles),
                    language=row.language,
                    time_zone=row.time_zone,
                )
                try:
                    # upsert_staff is atomic: on either error its savepoint is rolled back, the batch goes on.
                    profile, created = upsert_staff(data=data, actor=actor, via="roster")
                except NotAllowed as exc:
                    outcome.rejected += 1
                    outcome.errors.append(RowError(row.line, "", exc.message))
                    continue
                except DatabaseError as exc:
                    logger.warning("roster line %s not saved: %s", row.line, exc)
                    outcome.rejected += 1
                    outcome.errors.append(RowError(row.line, "", _("This row could not be saved: %(error)s")
                                                   % {"error": exc}))
                    continue
                if created:
                    outcome.created += 1
                    new_staff.append((profile.user_id, row.line))
                else:
                    outcome.updated += 1
                    _note_pending_email(row, before, outcome, email_header)
            if additions and actor_is_admin:
                _request_grants(profile, additions, row=row, actor=actor, outcome=outcome,
                                roles_header=roster.header("roles"))
        if invite and new_staff and not dry_run:
            transaction.on_commit(
                functools.partial(_invite, new_staff, actor=actor, outcome=outcome, email_header=email_header)
            )


def _request_grants(profile, roles: list[str], *, row: StaffRow, actor, outcome: RosterOutcome,
                    roles_header: str) -> None:
    """An administrator's file asks for privileged roles: each becomes a pending request (the row says so)."""
    for role in roles:
        try:
            request_privileged_role(profile=profile, role=role, actor=actor, via="roster")
        except NotAllowed as exc:
            outcome.errors.append(RowError(row.line, roles_header, exc.message))
        else:
            outcome.errors.append(RowError(row.line, roles_header, _(
                "The role %(role)s takes effect once a second administrator approves it (Organisation, "
                "Approvals).") % {"role": role_label(role)}))


def _note_pending_email(row: StaffRow, before: _Known | None, outcome: RosterOutcome, header: str) -> None:
    if before is not None and before.email != row.email:
        outcome.errors.append(RowError(row.line, header, _(
            "The new address %(new)s takes effect once an administrator confirms it; until then the account "
            "keeps %(old)s, which was told of the change.") % {"new": row.email, "old": before.email}))


def _invite(new_staff: list[tuple[int, int]], *, actor, outcome: RosterOutcome, email_header: str) -> None:
    """Runs after commit: a mail server that is down costs the invitations, never the import."""
    lines = dict(new_staff)
    for user in User.objects.filter(pk__in=lines).select_related("staff"):
        try:
            send_invitation(user=user, actor=actor)
        except Exception as exc:
            logger.exception("invitation to user %s failed", user.pk)
            outcome.errors.append(RowError(lines[user.pk], email_header,
                                           _("The invitation could not be sent: %(error)s") % {"error": exc}))
        else:
            outcome.invited += 1


def _deactivate_missing(*, roster: Roster, known: dict[str, _Known], outcome: RosterOutcome, actor,
                        dry_run: bool) -> None:
    if roster.rows_without_employee_id:
        outcome.errors.append(RowError(None, roster.header("employee_id"), ngettext(
            "Nobody was deactivated: %(count)d row has no employee id, so who is missing cannot be told.",
            "Nobody was deactivated: %(count)d rows have no employee id, so who is missing cannot be told.",
            roster.rows_without_employee_id) % {"count": roster.rows_without_employee_id}))
        return
    missing = [
        (employee_id, k) for employee_id, k in known.items()
        if k.is_active and employee_id not in roster.employee_ids
    ]
    actor_id = getattr(actor, "pk", None)
    if any(k.user_id == actor_id for _employee_id, k in missing):
        outcome.errors.append(RowError(None, roster.header("employee_id"), _(
            "You are not in the file, but you were not deactivated: nobody can deactivate themselves.")))
    ids = [k.profile_id for _employee_id, k in missing if k.user_id != actor_id]
    if dry_run:
        outcome.deactivated += len(ids)
        return
    for start in range(0, len(ids), ROSTER_BATCH_SIZE):
        chunk = ids[start:start + ROSTER_BATCH_SIZE]
        for profile in StaffProfile.objects.filter(pk__in=chunk).select_related("user"):
            if deactivate_staff(profile=profile, actor=actor):
                outcome.deactivated += 1


def _unchanged(before: _Known, row: StaffRow, branch: Branch | None, roles: frozenset[str],
               pending_emails: dict[int, str]) -> bool:
    """Whether the row would change nothing. ``roles`` are the row's roles without privileged ones still to
    be requested; privileged roles the person holds are kept whatever the row says. An address whose change
    is already pending counts as unchanged: re-importing the file neither re-archives nor re-mails it."""
    kept = before.roles & privileged_roles()
    return (
        (before.email == row.email or pending_emails.get(before.profile_id) == row.email)
        and before.first_name == row.first_name
        and before.last_name == row.last_name
        and before.branch_id == (branch.pk if branch else None)
        and before.language == row.language
        and (row.time_zone is None or before.time_zone == row.time_zone)
        and before.roles == (roles | kept)
    )


def _rule_problem(row: StaffRow, *, roster: Roster, known: dict[str, _Known],
                  owners: dict[str, tuple[int, str | None]], actor) -> RowError | None:
    """What the rules of ``advocacy.org`` refuse in a row, found before anything is written (so a dry run
    reports it too): a first name that cannot fill a template slot, an address outside the bank's domains,
    a privileged role asked for by someone who may not grant it."""
    problem = first_name_problem(row.first_name)
    if problem:
        return RowError(row.line, roster.header("first_name"), problem)
    before = known.get(row.employee_id)
    if before is None or before.email != row.email:
        problem = email_domain_refusal(row.email)
        if problem:
            return RowError(row.line, roster.header("email"), problem)
    additions = privileged_additions(wanted=row.roles, current=before.roles if before else ())
    if additions:
        subject = before.user_id if before else owners.get(row.email, (None, None))[0]
        refusal = grant_refusal(actor, subject_user_id=subject)
        if refusal:
            return RowError(row.line, roster.header("roles"), refusal + " " + _(
                "Roles asked for: %(roles)s.") % {"roles": ", ".join(role_label(r) for r in additions)})
    return None


def _email_conflict(row: StaffRow, *, roster: Roster, known: dict[str, _Known],
                    owners: dict[str, tuple[int, str | None]]) -> RowError | None:
    """An e-mail that belongs to somebody else. An account without a staff profile (an administrator
    created by ``createsuperuser``) is adopted by a new employee id, as ``upsert_staff`` does."""
    owner = owners.get(row.email)
    if owner is None:
        return None
    _owner_user_id, owner_employee_id = owner
    if owner_employee_id == row.employee_id:
        return None
    if owner_employee_id is not None:
        message = _("E-mail %(email)s is already used by employee id %(other)s.") % {
            "email": row.email, "other": owner_employee_id}
    elif row.employee_id not in known:
        return None
    else:
        message = _("E-mail %(email)s is already used by another account.") % {"email": row.email}
    return RowError(row.line, roster.header("email"), message)


def _known_staff() -> dict[str, _Known]:
    roles: dict[int, set[str]] = {}
    for profile_id, role in StaffRole.objects.values_list("profile_id", "role").iterator(chunk_size=5000):
        roles.setdefault(profile_id, set()).add(role)
    return {
        employee_id: _Known(pk, user_id, email, first, last, branch_id, language, zone, active,
                            frozenset(roles.get(pk, ())))
        for employee_id, pk, user_id, email, first, last, branch_id, language, zone, active in (
            StaffProfile.objects.values_list(
                "employee_id", "pk", "user_id", "user__email", "user__first_name", "user__last_name",
                "branch_id", "language", "time_zone", "user__is_active",
            ).iterator(chunk_size=5000)
        )
    }


def _email_owners() -> dict[str, tuple[int, str | None]]:
    owners: dict[str, tuple[int, str | None]] = {}
    for user_id, email, employee_id in User.objects.values_list("pk", "email", "staff__employee_id").iterator(
        chunk_size=5000
    ):
        if email:
            owners.setdefault(email.lower(), (user_id, employee_id))
    return owners
