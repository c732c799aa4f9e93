"""The webhook X pushes account activity to: thin, the protocol is ``advocacy.networks.x.webhooks``.

``GET ?crc_token=`` answers X's challenge; ``POST`` checks the signature over the raw body before reading
it (a bad or missing signature gets 401 and nothing is stored) and that it parses (400 otherwise), then
commits it to the durable inbox (``inbox.store``: one INSERT) and answers 200; workers ingest the inbox in
batches. X retries a delivery that did not get a 2xx, and answering only once the delivery is committed is
what makes that retry safe; ingestion's unique keys make the retry harmless.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advocacy.networks.x import webhooks
from advocacy.org.access import ADVISERS, PUBLIC, access
from advocacy.relationships import inbox, selectors
from advocacy.web.paging import keyset_page, query_without_cursor

logger = logging.getLogger(__name__)


@csrf_exempt  # X cannot send a CSRF token: the HMAC signature over the body is what authenticates it
@access(PUBLIC)
@require_http_methods(["GET", "POST"])
def x_webhook(request):
    if request.method == "GET":
        token = request.GET.get("crc_token", "")
        if not token:
            return HttpResponseBadRequest("crc_token missing")
        return JsonResponse(webhooks.crc_response(token))
    body = request.body
    if not webhooks.verify_signature(body, request.headers.get(webhooks.SIGNATURE_HEADER, "")):
        logger.warning("X webhook delivery refused: bad or missing signature")
        return HttpResponse(status=401)
    try:
        webhooks.parse_delivery(body)
    except ValueError as exc:
        logger.warning("X webhook delivery refused: malformed body (%s)", exc)
        return HttpResponseBadRequest("malformed delivery")
    inbox.store(body)
    return HttpResponse(status=200)


@access(ADVISERS)
def timeline(request: HttpRequest) -> HttpResponse:
    """Everything people did to the adviser's account, newest first, 50 a page (one query for the page)."""
    page = keyset_page(selectors.timeline_of(request.user), request.GET, key="pk")
    return render(
        request,
        "relationships/timeline.html",
        {"page": page, "rows": list(page), "query": query_without_cursor(request.GET)},
    )
