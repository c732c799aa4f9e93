"""The demo's ATS: a Greenhouse profile, two applications delivered by its signed webhook, one by CSV.

For the demo seed (``manage.py seed_demo`` calls ``seed_recruitment()``, which connects three employees to
the sandbox, shares the Lyon offer through the engine, clicks their links through ``/l/``, then calls
``deliver_demo_webhooks(shares=[...])`` and ``import_demo_csv(share=...)``). The deliveries go through
the real webhook (its production handler called in process: signature, the personal data dropped,
the inbox) and are applied at once (``intake.drain``) rather than by a worker, so the seed ends with them in
place. The CSV is ``docs/demo/applications.csv``, whose ``{reference}`` cell is filled with the share's
source reference (references are computed from share ids, which only exist once the seed has run).

The demo's job offers should link to the X sandbox's apply page (``<X_API_BASE_URL>/apply/<job reference>``)
so that a click shows the Greenhouse parameter the redirect added.
"""

from __future__ import annotations

from pathlib import Path

from advocacy.links.demo import flush, follow_link, through_handler
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
    """POST ``body``, signed as Greenhouse signs, to the profile's webhook; the HTTP status line."""
    headers = formats.sign(profile.vendor, secret=DEMO_SECRET, body=body)
    status, _headers = through_handler(
        "POST", f"/recruitment/ats/{profile.slug}/webhook/", body=body, headers=headers
    )
    return status


def click_demo_links(shares, *, visitors: int = 3) -> int:
    """``visitors`` different people follow each share's tracked link through ``/l/``'s production handler
    (its redirect, its click intake), then go where it redirects, the X sandbox's apply page, which must
    show Greenhouse's ``gh_src`` with the share's reference. The clicks are written at once (the beat
    task's work). Returns how many apply pages showed it."""
    import requests

    reached = 0
    for share in shares:
        for location in follow_link(share.link_code, visitors=visitors, first_visitor=share.pk * visitors):
            if "/apply/" not in location:
                raise RuntimeError(f"the demo click on {share.link_code} reached no apply page: {location!r}")
            page = requests.get(location, timeout=5)
            if page.ok and "<code>gh_src</code>" in page.text and reference_for(share.pk) in page.text:
                reached += 1
    flush()
    return reached


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


# Who shares the Lyon offer in the demo: three employees in three places (Lyon branch, Paris branch, head
# office), each with their sandbox account.
SHARERS = [
    ("adviser2@demo.relais.test", "hugo_bernard"),  # adviser, Lyon Bellecour
    ("manager@demo.relais.test", "claire_dubois"),  # branch manager, Paris Opéra
    ("hr@demo.relais.test", "nadia_benali"),  # HR, head office
]
DEMO_OFFER = "REQ-2026-014"


def seed_recruitment() -> dict:
    """The recruitment loop of the demo, through the real services: the three ``SHARERS`` are connected to
    the sandbox and share the Lyon offer (the share engine publishes to the sandbox), a few people follow
    each tracked link to the apply page, two applications arrive by the signed webhook (the first is then
    hired) and one by the CSV, each carrying its sharer's reference. Run after the job offers and the X app
    are seeded and before ``audience.demo.seed_follower_graph`` (which reads these sharers' followers).
    Idempotent: a sharer who published the offer already does not share it again, clicks are made only for
    new shares, replayed deliveries are stored once and the re-imported CSV only updates the stage."""
    from django.contrib.auth import get_user_model

    from advocacy.content.models import JobOffer
    from advocacy.networks.x.demo import connect_demo_account, sandbox_reachable
    from advocacy.shares.models import Share
    from advocacy.shares.scheduling import schedule_share
    from advocacy.shares.sending import publish_share

    summary = {"connected": 0, "shared": 0, "clicks": 0, "applications": 0}
    offer = JobOffer.objects.filter(job_reference=DEMO_OFFER).select_related("item").first()
    if offer is None or not sandbox_reachable():
        return summary
    create_demo_profile()  # before any click: the redirect adds Greenhouse's gh_src from it
    shares, new = [], []
    for email, username in SHARERS:
        summary["connected"] += connect_demo_account(email, username)
        person = get_user_model().objects.get(email=email)
        share = Share.objects.filter(adviser=person, item=offer.item, published_at__isnull=False).first()
        if share is None:
            # Sent here rather than by the worker (not started yet while the demo seeds); the task queued on
            # commit finds it published already.
            share = schedule_share(adviser=person, item=offer.item, when=None, actor=person)
            if publish_share(share_id=share.pk) != Share.Status.PUBLISHED:
                raise RuntimeError(f"the demo share of {email} was not published")
            new.append(share.pk)
        shares.append(Share.objects.select_related("item__job_offer").get(pk=share.pk))
    summary["shared"] = len(new)
    summary["clicks"] = click_demo_links([s for s in shares if s.pk in new])
    deliver_demo_webhooks(shares=shares[:2])
    result = import_demo_csv(share=shares[2])
    if result.errors:
        raise RuntimeError(f"the demo CSV was refused: {result.errors}")
    summary["applications"] = Application.objects.filter(item_id=offer.item_id).count()
    return summary
