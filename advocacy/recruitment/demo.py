"""The demo's ATS: a Greenhouse profile, two applications delivered by its signed webhook, one by CSV.

For the demo seed (``manage.py seed_demo``): once job offers are shared, call ``create_demo_profile()``,
then ``deliver_demo_webhooks(shares=[...])`` and ``import_demo_csv(share=...)``. The deliveries go through
the real webhook (its production handler called in process: signature, the personal data dropped,
the inbox) and are applied at once (``intake.drain``) rather than by a worker, so the seed ends with them in
place. The CSV is ``docs/demo/applications.csv``, whose ``{reference}`` cell is filled with the share's
source reference (references are computed from share ids, which only exist once the seed has run).

The demo's job offers should link to the X sandbox's apply page (``<X_API_BASE_URL>/apply/<job reference>``)
so that a click shows the Greenhouse parameter the redirect added.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from advocacy.recruitment import csv_import, formats, intake
from advocacy.recruitment.models import Application, ATSProfile
from advocacy.recruitment.references import reference_for

DEMO_SLUG = "greenhouse-demo"
DEMO_SECRET = "relais-demo-greenhouse-secret"  # noqa: S105 - the demo's published throwaway secret
DEMO_CSV = Path(__file__).resolve().parents[2] / "docs" / "demo" / "applications.csv"


def create_demo_profile() -> ATSProfile:
    """The demo bank's Greenhouse, used by every job offer (idempotent)."""
    parameters, replace_utm = formats.DEFAULT_PARAMETERS["greenhouse"]
    profile, _ = ATSProfile.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Greenhouse (démo)",
            "vendor": ATSProfile.Vendor.GREENHOUSE,
            "parameters": parameters,
            "replace_utm": replace_utm,
            "applies_to_all": True,
        },
    )
    profile.set_webhook_secret(DEMO_SECRET)
    profile.save(update_fields=["webhook_secret_encrypted"])
    return profile


def _greenhouse_body(*, application_id: int, job_reference: str, reference: str, action: str) -> bytes:
    import json

    application = {
        "id": application_id,
        "applied_at": "2026-12-01T09:30:00Z",
        "status": "hired" if action == "hire_candidate" else "active",
        "current_stage": {"id": 2, "name": "Phone Interview"},
        "jobs": [{"id": 1, "name": "Job", "requisition_id": job_reference}],
        "custom_fields": {"relais_reference": reference},
        "candidate": {"id": application_id, "first_name": "Candidat", "last_name": "Démo"},  # dropped
    }
    return json.dumps({"action": action, "payload": {"application": application}}).encode()


def deliver(profile: ATSProfile, body: bytes) -> str:
    """POST ``body``, signed as Greenhouse signs, through the handler that serves the webhook in production
    (``advocacy.wsgi`` sends it to the lean ``LinkHandler``); the HTTP status line."""
    from advocacy.links.handler import LinkHandler

    headers = formats.sign(profile.vendor, secret=DEMO_SECRET, body=body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/recruitment/ats/{profile.slug}/webhook/",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    status = []
    b"".join(LinkHandler()(environ, lambda line, headers, exc_info=None: status.append(line)))
    return status[0]


def deliver_demo_webhooks(*, shares) -> list[Application]:
    """Two applications by webhook, one per share given (the first two): the first is then hired. Each
    share must be of a job offer; the applications are attributed to the shares' employees."""
    profile = create_demo_profile()
    for number, share in enumerate(shares[:2], start=1):
        job_reference = share.item.job_offer.job_reference
        for action in ("new_candidate_application", *(["hire_candidate"] if number == 1 else [])):
            body = _greenhouse_body(
                application_id=880000 + number,
                job_reference=job_reference,
                reference=reference_for(share.pk),
                action=action,
            )
            status = deliver(profile, body)
            if not status.startswith(("200", "202")):
                raise RuntimeError(f"the demo webhook was refused: {status}")
            intake.drain()
    return list(Application.objects.filter(profile=profile, external_id__in=["880001", "880002"]))


def import_demo_csv(*, share) -> csv_import.ImportResult:
    """``docs/demo/applications.csv`` with the share's reference and job reference filled in."""
    text = DEMO_CSV.read_text(encoding="utf-8")
    text = text.replace("{reference}", reference_for(share.pk)).replace(
        "{job_reference}", share.item.job_offer.job_reference
    )
    return csv_import.import_applications(profile=create_demo_profile(), data=text.encode("utf-8"))
