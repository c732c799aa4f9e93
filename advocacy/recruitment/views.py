"""The ATS webhook (public, signed) and HR's application upload page.

The webhook is kept thin on purpose (target: 500 applications a second): the profile and its decrypted
secret (remembered per process, ``intake.webhook_profile``), the signature, the payload read without
personal data, the job references (remembered once found), one INSERT: one round trip per delivery.
Attribution, stage moves and the archive happen in the drain (``intake``).
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from advocacy.org.access import PUBLIC, STAFF_ADMINS, access
from advocacy.recruitment import csv_import, formats, intake
from advocacy.recruitment.forms import ApplicationUploadForm

logger = logging.getLogger(__name__)

# The paths ``ats/<slug:slug>/webhook/`` matches under ``recruitment/`` (``advocacy.wsgi`` serves them on the
# lean handler of ``advocacy.links.handler``: tested against the URLconf).
WEBHOOK_PATH = re.compile(r"/recruitment/ats/[-a-zA-Z0-9_]+/webhook/\Z")


@csrf_exempt  # an ATS cannot send a CSRF token: the HMAC signature is what authenticates the delivery
@access(PUBLIC)
@require_POST
def ats_webhook(request: HttpRequest, slug: str) -> HttpResponse:
    known = intake.webhook_profile(slug)
    if known is None:
        return HttpResponse(status=404)
    profile, secret = known
    body = request.body
    if not formats.verify(profile.vendor, secret=secret.reveal(), body=body, headers=request.headers):
        known = intake.webhook_profile(slug, fresh=True)  # the secret may have changed a moment ago
        if known is None:
            return HttpResponse(status=404)
        profile, secret = known
        if not formats.verify(profile.vendor, secret=secret.reveal(), body=body, headers=request.headers):
            logger.warning("ATS webhook delivery refused for %s: bad or missing signature", profile.slug)
            return HttpResponse(status=401)
    try:
        events = formats.parse(profile.vendor, body)
    except formats.MalformedDelivery as exc:
        logger.warning("ATS webhook delivery refused for %s: malformed body (%s)", profile.slug, exc)
        return JsonResponse({"error": "malformed delivery", "detail": str(exc)}, status=400)
    unknown = intake.unknown_job_references(events)
    if unknown:
        return JsonResponse({"error": "unknown job reference", "job_references": unknown}, status=422)
    if not events:
        return JsonResponse({"stored": False, "events": 0}, status=200)
    stored = intake.store(profile=profile, digest=hashlib.sha256(body).hexdigest(), events=events)
    return JsonResponse({"stored": stored, "events": len(events)}, status=202 if stored else 200)


@access(STAFF_ADMINS)
def upload(request: HttpRequest) -> HttpResponse:
    """HR uploads an ATS's CSV export of applications; the result (counts, each refused row) is shown
    at once: a file of a few thousand rows is applied within the request."""
    result = None
    if request.method == "POST":
        form = ApplicationUploadForm(request.POST, request.FILES)
        if form.is_valid():
            result = csv_import.import_applications(
                profile=form.cleaned_data["profile"], data=form.cleaned_data["data"]
            )
    else:
        form = ApplicationUploadForm()
    return render(request, "recruitment/upload.html", {"form": form, "result": result})
