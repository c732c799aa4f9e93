"""What each archive event carries: one payload schema per event type, declared once.

A record is only as good as its reader. Before this module, writers and readers agreed on payload keys by
convention, and they did not (the communication record read ``version_id`` while the writers wrote the
version *number* under ``version``). Now every event type is declared here as a ``TypedDict``; ``record()``
calls ``check_payload`` and refuses an undeclared event type, a missing key, an unknown (misspelled) key or a
value of the wrong type, loudly, before anything touches the database. Readers import the same names.

Conventions:
- a content version is referenced by id as ``version_id``; its number, when useful, as ``version_number``;
- an item by id as ``item``; a share's adviser as ``adviser`` (``Person``: id, name, e-mail at the time);
- a share move's event carries ``status``: the status the share is in after the move, so that a share's
  events replay to its current status (``verify_shares``);
- times as ISO 8601 strings in UTC.

Records written before a schema changed are never rewritten (the archive is append-only): readers that
need an old key fall back explicitly (see ``selectors.communication_record``). ``LEGACY_KEYS`` documents the
keys older records carry.

The archive's own tests and benchmarks exercise the chain with event types of their own: they declare a
free-form prefix (``allow_freeform_prefix("test.")``); production code never does.
"""

import datetime
import types
import typing
from typing import Any, NotRequired, TypedDict, Union


class SchemaError(ValueError):
    """A payload that does not match its event type's schema (a programming error, raised in tests)."""


class Person(TypedDict):
    id: int
    name: str
    email: str


# --- organisation and accounts --------------------------------------------------------------------------
class StaffChanged(TypedDict):
    employee_id: str
    email: str
    branch: str | None
    language: str
    time_zone: NotRequired[str]


class StaffRolesChanged(TypedDict):
    before: list
    after: list


class StaffActivation(TypedDict):
    employee_id: str


class StaffInvited(TypedDict):
    email: str


class PrivilegeRequested(TypedDict):
    request_id: int
    employee_id: str
    role: str
    via: str  # "portal" or "roster"


class PrivilegeGranted(TypedDict):
    """A privileged role taking effect: a second administrator's approval (actor = the approver), or a
    command-line bootstrap (``via`` "bootstrap", no request, no requester, actor = the process)."""

    request_id: int | None
    employee_id: str
    role: str
    via: str
    requested_by: Person | None
    before: list
    after: list


class PrivilegeRequestRefused(TypedDict):
    request_id: int
    employee_id: str
    role: str
    requested_by: Person
    status: str  # "refused", or "withdrawn" by the requester


class PrivilegeRevoked(TypedDict):
    employee_id: str
    role: str
    before: list
    after: list


class EmailChangeRequested(TypedDict):
    request_id: int
    employee_id: str
    old_email: str
    new_email: str
    via: str
    supersedes: NotRequired[int]


class EmailChanged(TypedDict):
    request_id: int
    employee_id: str
    old_email: str
    new_email: str
    requested_by: Person | None
    sessions_ended: int


class EmailChangeRefused(TypedDict):
    request_id: int
    employee_id: str
    old_email: str
    new_email: str


class ManagedRegionsChanged(TypedDict):
    employee_id: str
    before: list
    after: list


class BranchSaved(TypedDict):
    branch_id: int
    before: dict | None
    after: dict


class RosterImported(TypedDict):
    filename: str
    sha256: str
    deactivate_missing: bool
    invite: bool
    total_rows: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    invited: int
    rejected: int


class SignedIn(TypedDict):
    roles: list
    method: str
    ip: NotRequired[str]
    user_agent: NotRequired[str]
    network: NotRequired[str]


class SignedOut(TypedDict):
    ip: NotRequired[str]
    user_agent: NotRequired[str]
    network: NotRequired[str]


class SignInFailed(TypedDict):
    """An e-mail and password that signed nobody in (advocacy/accounts/sign_in_failures.py). ``network`` is a
    keyed hash of the source network (/24, /48), never an address; "" when the address was unknown."""

    email: str
    user_id: int | None
    network: str


class PrivilegedSignInAlert(TypedDict):
    """Compliance was alerted: ``failures`` failed sign-ins on a privileged account within ``window_minutes``,
    from ``networks`` distinct source networks."""

    user_id: int
    email: str
    roles: list
    failures: int
    window_minutes: int
    networks: int


# --- content and review ---------------------------------------------------------------------------------
class UsageBudgetAlert(TypedDict):
    """This month's X spend reached ``threshold`` % of the budget (advocacy/networks/usage/alerts.py); sent
    once a month per threshold to compliance and administrators. Amounts in US dollars, as strings."""

    threshold: int
    month: str
    spent: str
    budget: str
    told: int


class ContentCreated(TypedDict):
    item: int
    origin: str
    category: str
    title: str
    job_offer: NotRequired[dict]  # a job offer's reference, place, branch, contract type and closing date


class VersionCreated(TypedDict):
    item: int
    version_id: int
    version_number: int
    text: str
    link_url: NotRequired[str]
    variants: NotRequired[list]
    previous_version_id: NotRequired[int | None]
    status_before: NotRequired[str]


class ContentEdited(TypedDict):
    item: int
    version_id: int
    version_number: int
    changed: list
    job_offer: NotRequired[dict]  # a job offer's facts after the edit


class Submitted(TypedDict):
    item: int
    version_id: int
    version_number: int
    texts: int
    fingerprints: list
    findings: list


class Approval(TypedDict):
    item: int
    version_id: int
    version_number: int
    decision: int
    comment: str
    fingerprints: list
    acknowledged_findings: list
    approvals: NotRequired[int]
    approvals_required: NotRequired[int]


class Decision(TypedDict):
    item: int
    version_id: int
    version_number: int
    decision: int
    comment: str


class Expired(TypedDict):
    item: int
    version_id: int | None
    expires_at: str


class Recalled(TypedDict):
    item: int
    version_id: int | None
    reason: str
    status_before: str
    decision: int


class RulePackChanged(TypedDict):
    change: str
    pack_id: int
    version: int
    before: NotRequired[dict | None]
    after: NotRequired[dict | None]
    name: NotRequired[str]
    language: NotRequired[str]
    jurisdiction: NotRequired[str]
    active: NotRequired[bool]
    description: NotRequired[str]


class SettingsChanged(TypedDict):
    model: str
    pk: Any
    changed: NotRequired[dict]
    deleted: NotRequired[bool]


# --- shares ---------------------------------------------------------------------------------------------
class ShareScheduled(TypedDict):
    item: int
    version_id: int
    fingerprint: str
    scheduled_for: str
    campaign: int | None
    status: str


class ShareMove(TypedDict):
    """Any move of a share that is not its publication or deletion (claimed, retry, unknown, failed…)."""

    item: int
    version_id: int
    status: str
    reason: NotRequired[str]
    attempts: NotRequired[int]
    next_attempt_at: NotRequired[str | None]
    network: NotRequired[str]
    account: NotRequired[str]
    scheduled_for: NotRequired[str]


class ShareAttempted(TypedDict):
    item: int
    version_id: int
    fingerprint: str
    text: str
    network: str
    account: str
    attempt: int
    status: str


class SharePublished(TypedDict):
    item: int
    version_id: int
    text: str
    fingerprint: str
    network: str
    account: str
    adviser: Person
    network_post_id: str
    url: str
    status: str
    recovered_after_unknown_outcome: bool
    claim_lost: NotRequired[bool]


class ShareDeleted(TypedDict):
    item: int
    version_id: int
    network: str
    account: str
    adviser: Person
    network_post_id: str
    url: str
    status: str
    reason: str


class ShareDeleteFailed(TypedDict):
    item: int
    version_id: int
    network_post_id: str
    reason: str


# --- campaigns ------------------------------------------------------------------------------------------
class CampaignCreated(TypedDict):
    item: int
    version_id: int | None
    starts_at: str
    ends_at: str
    regions: list
    branches: list
    roles: list


class CampaignAboutItem(TypedDict):
    item: int


class CampaignSharesCancelled(TypedDict):
    item: int
    campaign: int
    shares: list
    reason: str


class CampaignFailed(TypedDict):
    reason: str


class CampaignFannedOut(TypedDict):
    item: int
    targeted: int
    scheduled: int
    skipped: int
    skip_reasons: dict


class CampaignChunk(TypedDict):
    item: int
    version_id: int
    campaign: int
    advisers: dict
    shares: list
    skipped: Any


class AutoShare(TypedDict):
    category: str


# --- clients (pseudonymous: ``client_key`` is advocacy.clients.privacy.client_key, never a name) -----
class ClientConsentRecorded(TypedDict):
    client_key: str
    method: str
    wording_version: str
    consent_date: str


class ClientConsentWithdrawn(TypedDict):
    client_key: str


class ClientErased(TypedDict):
    client_key: str
    reason: str
    # Of the adviser's X accounts, how many the client was following: their follower rows deleted, those
    # accounts' audience sketches rebuilt after commit (records before this field lack it).
    followed_accounts: NotRequired[int]


# --- replies from Relais (advocacy.replies; subject = the reply, so searching by adviser finds them) -------
class ReplyQueued(TypedDict):
    """An adviser's reply to an inbound post, written and checked (nothing blocked), before sending."""

    reply: int
    adviser: Person
    network: str
    account: str
    text: str
    in_reply_to: str  # the inbound post answered (X id)
    conversation_id: str
    inbound_record: int | None  # seq of the inbound post's ``inbound.received`` record
    warnings: list  # the checks' non-blocking findings (``Finding.to_dict``)
    status: str


class ReplyAttempted(TypedDict):
    reply: int
    text: str
    in_reply_to: str
    conversation_id: str
    inbound_record: int | None
    network: str
    account: str
    attempt: int
    status: str


class ReplyMove(TypedDict):
    reply: int
    status: str
    reason: NotRequired[str]
    attempts: NotRequired[int]
    next_attempt_at: NotRequired[str | None]


class ReplySent(TypedDict):
    reply: int
    text: str
    in_reply_to: str
    conversation_id: str
    inbound_record: int | None
    network: str
    account: str
    adviser: Person
    network_post_id: str
    url: str
    status: str
    recovered_after_unknown_outcome: bool
    claim_lost: NotRequired[bool]


# --- supervision of interactive content (compliance.supervision; FINRA Notice 17-18) --------------------
class SupervisionQueued(TypedDict):
    """A sent reply entering compliance's after-the-fact review: sampled at the adviser's rate, or always
    because a lexicon flag was raised on it or on the post it answers."""

    item: int
    reply: int
    adviser: Person
    reason: str  # "flagged" or "sampled"
    rate_percent: int
    flags: list  # [{"flag", "where": "inbound" | "reply", "matched"}]
    network_post_id: str  # the reply's post on X


class SupervisionReviewed(TypedDict):
    item: int
    reply: int
    decision: str  # "reviewed" or "escalated"
    comment: str
    flags: list
    network_post_id: str


class SupervisionRateChanged(TypedDict):
    adviser: Person
    before: int | None  # None: the default applied
    after: int | None
    default: int


# --- X connections --------------------------------------------------------------------------------------
class InboundReceived(TypedDict):
    """A post someone addressed to an adviser's account (mention, reply, quote), archived in full as a
    communication received (SEC 17a-4, MiFID II art. 16(7)); subject = the adviser."""

    network: str
    kind: str
    post_id: str
    text: str
    author_id: str
    author_username: str
    in_reply_to: str
    conversation_id: str
    occurred_at: str
    via: str


class XConnected(TypedDict):
    network: str
    account: str
    x_user_id: str
    scopes: Any


class XDisconnected(TypedDict):
    network: str
    account: str
    reason: str
    revoked_at_x: NotRequired[bool]
    detail: NotRequired[str]


# --- recruitment ----------------------------------------------------------------------------------------
class ApplicationReceived(TypedDict):
    """An application the bank's ATS reported (webhook or CSV import); subject = the application. The
    ATS's ids and the stage only: Relais never stores the candidate's name or contact details."""

    ats: str  # the ATS profile's slug
    application_id: str
    job_reference: str
    item: int
    stage: str
    share: int | None  # the share it is attributed to, None when unattributed
    employee: int | None
    via: str  # "webhook" or "csv"


class ApplicationStageChanged(TypedDict):
    ats: str
    application_id: str
    item: int
    before: str
    stage: str
    via: str


# --- the archive itself ---------------------------------------------------------------------------------
class Exported(TypedDict):
    filter: dict
    count: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str | None
    manifest_sha256: str
    via: str


class ExportDownloaded(TypedDict):
    export_id: str
    manifest_sha256: str


class Verified(TypedDict):
    ok: bool
    records_checked: int
    last_seq: int | None
    first_bad_seq: int | None
    problem: str | None
    trigger: str


class HoldPlaced(TypedDict):
    hold_id: int
    reason: str
    subject_ref: str
    user_id: NotRequired[int | None]


class HoldReleased(TypedDict):
    hold_id: int
    user_id: int | None
    subject_ref: str


class Purged(TypedDict):
    records: int
    held_back: int
    cutoffs: dict
    retention_years: dict
    ranges: int
    ranges_listed: list
    ranges_sha256: str


# ``ExportRequested`` also carries "from", a Python keyword: declared below with the functional syntax.
ExportRequested = TypedDict(
    "ExportRequested",
    {"export_id": str, "from": datetime.date | None, "to": datetime.date | None, "adviser": str | None},
)

SCHEMAS: dict[str, type] = {
    "staff.created": StaffChanged,
    "staff.updated": StaffChanged,
    "staff.roles_changed": StaffRolesChanged,
    "staff.deactivated": StaffActivation,
    "staff.reactivated": StaffActivation,
    "staff.invited": StaffInvited,
    "staff.roster_imported": RosterImported,
    "staff.privilege_requested": PrivilegeRequested,
    "staff.privilege_granted": PrivilegeGranted,
    "staff.privilege_request_refused": PrivilegeRequestRefused,
    "staff.privilege_revoked": PrivilegeRevoked,
    "staff.email_change_requested": EmailChangeRequested,
    "staff.email_changed": EmailChanged,
    "staff.email_change_refused": EmailChangeRefused,
    "staff.managed_regions_changed": ManagedRegionsChanged,
    "org.branch_created": BranchSaved,
    "org.branch_changed": BranchSaved,
    "auth.signed_in": SignedIn,
    "auth.signed_out": SignedOut,
    "auth.sign_in_failed": SignInFailed,
    "auth.privileged_sign_in_alert": PrivilegedSignInAlert,
    "usage.budget_alert": UsageBudgetAlert,
    "content.created": ContentCreated,
    "content.version_created": VersionCreated,
    "content.edited": ContentEdited,
    "content.submitted": Submitted,
    "content.expired": Expired,
    "content.recalled": Recalled,
    "review.first_approval": Approval,
    "review.approved": Approval,
    "review.changes_requested": Decision,
    "review.rejected": Decision,
    "rulepack.changed": RulePackChanged,
    "compliance.settings_changed": SettingsChanged,
    "share.scheduled": ShareScheduled,
    "share.claimed": ShareMove,
    "share.attempted": ShareAttempted,
    "share.retry_scheduled": ShareMove,
    "share.outcome_unknown": ShareMove,
    "share.unconfirmed": ShareMove,
    "share.failed": ShareMove,
    "share.cancelled": ShareMove,
    "share.published": SharePublished,
    "share.deleted": ShareDeleted,
    "share.delete_failed": ShareDeleteFailed,
    "campaign.created": CampaignCreated,
    "campaign.launched": CampaignAboutItem,
    "campaign.cancelled": CampaignAboutItem,
    "campaign.shares_cancelled": CampaignSharesCancelled,
    "campaign.failed": CampaignFailed,
    "campaign.fanned_out": CampaignFannedOut,
    "campaign.fanned_out_chunk": CampaignChunk,
    "auto_share.opted_in": AutoShare,
    "auto_share.opted_out": AutoShare,
    "inbound.received": InboundReceived,
    "reply.queued": ReplyQueued,
    "reply.claimed": ReplyMove,
    "reply.attempted": ReplyAttempted,
    "reply.retry_scheduled": ReplyMove,
    "reply.outcome_unknown": ReplyMove,
    "reply.unconfirmed": ReplyMove,
    "reply.failed": ReplyMove,
    "reply.sent": ReplySent,
    "supervision.queued": SupervisionQueued,
    "supervision.reviewed": SupervisionReviewed,
    "supervision.rate_changed": SupervisionRateChanged,
    "client.consent_recorded": ClientConsentRecorded,
    "client.consent_withdrawn": ClientConsentWithdrawn,
    "client.erased": ClientErased,
    "recruitment.application_received": ApplicationReceived,
    "recruitment.stage_changed": ApplicationStageChanged,
    "x.connected": XConnected,
    "x.disconnected": XDisconnected,
    "archive.exported": Exported,
    "archive.export_requested": ExportRequested,
    "archive.export_downloaded": ExportDownloaded,
    "archive.verified": Verified,
    "archive.legal_hold_placed": HoldPlaced,
    "archive.legal_hold_released": HoldReleased,
    "archive.purged": Purged,
}

# Keys that records written before the schemas carry (never rewritten; readers fall back to them).
LEGACY_KEYS = {
    "content.version_created": {"number": "version_number", "previous_version": "previous_version_id"},
    "content.edited": {"version": "version_number (not an id)"},
    "content.submitted": {"version": "version_number (not an id)"},
    "review.first_approval": {"version": "version_number (not an id)"},
    "review.approved": {"version": "version_number (not an id)"},
    "review.changes_requested": {"version": "version_number (not an id)"},
    "review.rejected": {"version": "version_number (not an id)"},
    "content.expired": {"version": "version_id (an id, despite the name)"},
    "content.recalled": {"version": "version_id (an id, despite the name)"},
}

_FREEFORM_PREFIXES: set[str] = set()


def accepts_freeform(event_type: str) -> bool:
    """Whether ``event_type`` falls under a registered free-form prefix (tests only)."""
    return any(event_type.startswith(prefix) for prefix in _FREEFORM_PREFIXES)


def allow_freeform_prefix(prefix: str) -> None:
    """Let event types starting with ``prefix`` carry any payload: for the archive's own tests and benches
    of the chain mechanics (``test.``, ``bench.``), never for product events."""
    if not prefix.endswith("."):
        raise ValueError("a free-form prefix ends with a dot")
    _FREEFORM_PREFIXES.add(prefix)
    _checker_for.cache_clear()


def event_types() -> list[str]:
    """Every declared event type, sorted: what the archive search offers (no scan of the archive)."""
    return sorted(SCHEMAS)


# --- checking -------------------------------------------------------------------------------------------
def _accepts(annotation) -> tuple:
    """The runtime types a value of ``annotation`` may have (None: anything)."""
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return ()
    if origin is NotRequired:
        return _accepts(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        accepted: tuple = ()
        for arg in typing.get_args(annotation):
            inner = _accepts(arg)
            if inner == ():
                return ()
            accepted += inner
        return accepted
    if annotation is None or annotation is type(None):
        return (type(None),)
    if origin is not None:
        return (origin,)
    if isinstance(annotation, type) and typing.is_typeddict(annotation):
        return (dict,)
    if annotation is float:
        return (float, int)
    return (annotation,)


class _Checker:
    __slots__ = ("allowed", "name", "nested", "required", "types")

    def __init__(self, schema):
        hints = typing.get_type_hints(schema)
        self.name = schema.__name__
        self.required = frozenset(schema.__required_keys__)
        self.allowed = frozenset(hints)
        self.types = {key: _accepts(hint) for key, hint in hints.items()}
        self.nested = {
            key: _Checker(hint)
            for key, hint in hints.items()
            if isinstance(hint, type) and typing.is_typeddict(hint)
        }

    def check(self, event_type: str, payload: dict) -> None:
        keys = payload.keys()
        missing = self.required - keys
        unknown = keys - self.allowed
        if missing or unknown:
            raise SchemaError(
                f"{event_type}: payload does not match {self.name}"
                + (f"; missing {sorted(missing)}" if missing else "")
                + (f"; unknown {sorted(unknown)}" if unknown else "")
            )
        for key, value in payload.items():
            accepted = self.types[key]
            if accepted and (
                not isinstance(value, accepted) or (isinstance(value, bool) and bool not in accepted)
            ):
                raise SchemaError(
                    f"{event_type}: {key!r} is a {type(value).__name__}, {self.name} declares "
                    + " | ".join(t.__name__ for t in accepted)
                )
            nested = self.nested.get(key)
            if nested is not None:
                nested.check(f"{event_type}.{key}", value)


def _build_checker(event_type: str):
    schema = SCHEMAS.get(event_type)
    if schema is not None:
        return _Checker(schema)
    if any(event_type.startswith(prefix) for prefix in _FREEFORM_PREFIXES):
        return None
    raise SchemaError(f"{event_type!r} is not a declared archive event type (compliance/archive/events.py)")


_checkers: dict[str, _Checker | None] = {}


def _checker_for(event_type: str):
    try:
        return _checkers[event_type]
    except KeyError:
        checker = _checkers[event_type] = _build_checker(event_type)
        return checker


_checker_for.cache_clear = _checkers.clear  # type: ignore[attr-defined]


def check_payload(event_type: str, payload: dict) -> None:
    """Refuse (``SchemaError``) an undeclared event type or a payload that does not match its schema."""
    checker = _checker_for(event_type)
    if checker is not None:
        checker.check(event_type, payload)
