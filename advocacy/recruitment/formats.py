"""What each ATS sends and expects: source parameters, webhook signatures, payloads. Pure (no database).

Source parameters (the apply link), as the vendors document them:

* Greenhouse: ``gh_src=<source token>`` ("External Job Board Tracking Links Overview",
  support.greenhouse.io/hc/en-us/articles/216904366: "appends the Source Token ... in a parameter that
  follows the format gh_src={TOKEN}").
* Lever: ``lever-origin=<origin>&lever-source[]=<source tag>`` (help.lever.co/hc/en-us/articles/204500805,
  "How do I receive candidates from external recruiters or agencies?": "?lever-origin=agency&lever-source
  %5B%5D=AGENCYNAME"; origins are applied, sourced, referred, agency, university, articles/207697936). We
  send origin ``applied`` and two source tags, ``Relais`` and the share's reference.
* Workday: ``source=<Reference ID>`` of a recruiting source listed under "Recruiting Sources for
  Auto-Tracking" of the external career site (Workday's own documentation is behind its customer login; we
  found the convention in JobTeaser's and Kombo's integration guides). Workday fills the application's
  source only for Reference IDs it knows, so per-share references come back through a CSV report.
* Teamtailor, SmartRecruiters, other ATSs: UTM parameters. We did not find either vendor's own page on
  source parameters; both are said to read UTM; ``utm_content`` carries the reference.

Webhook signatures:

* Greenhouse: header ``Signature: sha256 <hex>``, HMAC-SHA256 of the raw body under the webhook's secret
  key (Greenhouse's webhook documentation, as quoted by signatureapi.com's Greenhouse guide: "Each delivery
  has a Signature header, an HMAC-SHA256 over the raw body with your secret key").
* Lever: the body carries ``token``, ``triggeredAt`` and ``signature``; ``signature`` is the hex
  HMAC-SHA256 of ``token + triggeredAt`` under the webhook's signature token. We found this only in
  third-party notes (Lever's developer documentation was not in our search index); note that it
  authenticates the delivery, not the body's other fields.
* Every other vendor: header ``X-Relais-Signature: sha256=<hex>``, HMAC-SHA256 of the raw body (Relais's
  own format, for the bank's integration layer).

Payloads (``parse``): Greenhouse's ``new_candidate_application``, ``candidate_stage_change`` and
``hire_candidate``; Lever's ``applicationCreated``, ``candidateStageChange`` and ``candidateHired``; and
Relais's generic ``{"event": ..., "application": {...}}``. Only ids, the job reference, the source reference,
the stage and dates are taken out; everything else (the candidate's name, e-mail, phone, CV, answers) is
never looked at and never stored.

Lever's webhooks name the opportunity but not its posting or source tags, which Lever's API gives
(``GET /opportunities/:id``); Relais does not call Lever. An ``applicationCreated`` delivery must carry
``data.postingId`` and ``data.sources`` (added by the bank's integration layer) or it is refused; stage
changes and hires of an opportunity Relais already knows need only the opportunity id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from advocacy.recruitment.references import share_id_from

DEFAULT_PARAMETERS = {
    "greenhouse": ({"gh_src": "{ref}"}, True),
    "lever": ({"lever-origin": "applied", "lever-source[]": ["Relais", "{ref}"]}, True),
    "workday": ({"source": "{ref}"}, True),
    "teamtailor": ({"utm_content": "{ref}"}, False),
    "smartrecruiters": ({"utm_content": "{ref}"}, False),
    "generic": ({"utm_content": "{ref}"}, False),
}

GENERIC_SIGNATURE_HEADER = "X-Relais-Signature"
MAX_BODY_BYTES = 512 * 1024


class MalformedDelivery(ValueError):
    """A signed body Relais cannot read (400)."""


@dataclass(frozen=True)
class ApplicationEvent:
    """What Relais keeps of one application event: no personal data."""

    external_id: str
    stage: str  # one of models.Stage
    job_reference: str = ""  # empty: an update of an application already known
    source_reference: str = ""
    applied_at: str = ""  # ISO 8601, UTC
    hired_at: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _body_json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedDelivery("not JSON") from None
    if not isinstance(data, dict):
        raise MalformedDelivery("not a JSON object")
    return data


def verify(vendor: str, *, secret: str, body: bytes, headers) -> bool:
    """Whether the delivery was signed with the profile's secret (constant-time comparisons only)."""
    if not secret:
        return False
    if vendor == "greenhouse":
        scheme, _, given = headers.get("Signature", "").strip().partition(" ")
        return scheme.lower() == "sha256" and hmac.compare_digest(_hmac_hex(secret, body), given.strip())
    if vendor == "lever":
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return False
        if not isinstance(data, dict):
            return False
        token, triggered, given = data.get("token"), data.get("triggeredAt"), data.get("signature")
        if not isinstance(token, str) or not isinstance(given, str) or triggered is None:
            return False
        expected = _hmac_hex(secret, f"{token}{triggered}".encode())
        return hmac.compare_digest(expected, given)
    scheme, _, given = headers.get(GENERIC_SIGNATURE_HEADER, "").strip().partition("=")
    return scheme.lower() == "sha256" and hmac.compare_digest(_hmac_hex(secret, body), given.strip())


def sign(vendor: str, *, secret: str, body: bytes) -> dict:
    """The headers a vendor would send with ``body`` (the demo, tests and benchmarks deliver with it).
    For Lever the signature is in the body itself: sign with ``lever_body``."""
    if vendor == "greenhouse":
        return {"Signature": f"sha256 {_hmac_hex(secret, body)}"}
    if vendor == "lever":
        return {}
    return {GENERIC_SIGNATURE_HEADER: f"sha256={_hmac_hex(secret, body)}"}


def lever_body(
    *,
    secret: str,
    event: str,
    data: dict,
    token: str = "relais-demo",  # noqa: S107 - Lever's webhook token names the webhook; it is no secret
    triggered_at=None,
) -> bytes:
    triggered = int(triggered_at if triggered_at is not None else timezone.now().timestamp() * 1000)
    signature = _hmac_hex(secret, f"{token}{triggered}".encode())
    return json.dumps(
        {"triggeredAt": triggered, "event": event, "token": token, "signature": signature, "data": data}
    ).encode()


# --- stages ---------------------------------------------------------------------------------------------
_STAGE_WORDS = (
    ("hired", ("hired", "embauch", "recrut")),
    ("withdrawn", ("withdr", "désist", "desist")),
    ("rejected", ("reject", "refus", "archiv", "declin")),
    ("offer", ("offer", "offre", "proposition")),
    ("interview", ("interview", "entretien", "onsite", "assessment")),
    ("screening", ("screen", "review", "présélection", "preselection", "phone", "qualif")),
    ("applied", ("applied", "new", "lead", "candidature", "application", "reçu", "recu")),
)


def normalise_stage(value: str) -> str | None:
    """Relais's stage for an ATS's stage name (English or French words), None if nothing matches."""
    words = (value or "").strip().lower()
    if not words:
        return None
    for stage, markers in _STAGE_WORDS:
        if words == stage or any(marker in words for marker in markers):
            return stage
    return None


def _iso(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, (int, float)):  # Lever: milliseconds since the epoch
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).isoformat()
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise MalformedDelivery(f"not a date: {str(value)[:40]}")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat()


def _text(value, *, limit: int = 64) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("value", "")
    text = str(value).strip()
    if len(text) > limit:
        raise MalformedDelivery("identifier too long")
    return text


# --- payloads -------------------------------------------------------------------------------------------
GREENHOUSE_ACTIONS = {"new_candidate_application", "candidate_stage_change", "hire_candidate"}
LEVER_EVENTS = {"applicationCreated", "candidateStageChange", "candidateHired"}


def _greenhouse(data: dict) -> list[ApplicationEvent]:
    action = data.get("action")
    if action not in GREENHOUSE_ACTIONS:
        return []  # an event Relais does not follow (a ping, an interview): accepted, nothing kept
    application = (data.get("payload") or {}).get("application")
    if not isinstance(application, dict) or application.get("id") in (None, ""):
        raise MalformedDelivery("payload.application.id missing")
    jobs = application.get("jobs") or []
    job = jobs[0] if jobs and isinstance(jobs[0], dict) else {}
    job_reference = _text(job.get("requisition_id") or job.get("id"))
    custom = application.get("custom_fields") or {}
    source_reference = _text(custom.get("relais_reference") if isinstance(custom, dict) else "")
    if action == "hire_candidate":
        stage = "hired"
    else:
        stage_name = (application.get("current_stage") or {}).get("name", "")
        stage = (
            normalise_stage(
                application.get("status")
                if application.get("status") in ("rejected", "hired")
                else stage_name
            )
            or "applied"
        )
    return [
        ApplicationEvent(
            external_id=_text(application["id"]),
            stage=stage,
            job_reference=job_reference,
            source_reference=source_reference,
            applied_at=_iso(application.get("applied_at")),
            hired_at=_iso(application.get("hired_at") or (data.get("payload") or {}).get("hired_at"))
            if stage == "hired"
            else "",
        )
    ]


def _lever(data: dict) -> list[ApplicationEvent]:
    event = data.get("event")
    if event not in LEVER_EVENTS:
        return []
    body = data.get("data")
    if not isinstance(body, dict) or not body.get("opportunityId"):
        raise MalformedDelivery("data.opportunityId missing")
    triggered = _iso(data.get("triggeredAt"))
    if event == "applicationCreated":
        if not body.get("postingId"):
            raise MalformedDelivery(
                "data.postingId missing (Lever's API gives it; add it in the integration)"
            )
        sources = body.get("sources") or []
        # the source tag that is a reference Relais made (the others: "Relais", the bank's own tags)
        reference = next((tag for tag in sources if isinstance(tag, str) and share_id_from(tag)), "")
        return [
            ApplicationEvent(
                external_id=_text(body["opportunityId"]),
                stage="applied",
                job_reference=_text(body["postingId"]),
                source_reference=_text(reference),
                applied_at=triggered,
            )
        ]
    if event == "candidateHired":
        stage = "hired"
    else:
        stage = normalise_stage(str(body.get("toStageName") or body.get("toStageId") or "")) or "screening"
    return [
        ApplicationEvent(
            external_id=_text(body["opportunityId"]),
            stage=stage,
            hired_at=triggered if stage == "hired" else "",
        )
    ]


def _generic(data: dict) -> list[ApplicationEvent]:
    application = data.get("application")
    if not isinstance(application, dict) or not application.get("id"):
        raise MalformedDelivery("application.id missing")
    stage = normalise_stage(str(application.get("stage") or "applied"))
    if stage is None:
        raise MalformedDelivery("unknown stage")
    return [
        ApplicationEvent(
            external_id=_text(application["id"]),
            stage=stage,
            job_reference=_text(application.get("job_reference")),
            source_reference=_text(application.get("source_reference")),
            applied_at=_iso(application.get("applied_at")),
            hired_at=_iso(application.get("hired_at")),
        )
    ]


def parse(vendor: str, body: bytes) -> list[ApplicationEvent]:
    """The application events of a (verified) delivery; ``MalformedDelivery`` if it cannot be read."""
    if len(body) > MAX_BODY_BYTES:
        raise MalformedDelivery("body too large")
    data = _body_json(body)
    if vendor == "greenhouse":
        return _greenhouse(data)
    if vendor == "lever":
        return _lever(data)
    return _generic(data)
