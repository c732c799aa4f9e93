"""The public redirect behind every tracked link (``/l/<code>``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from advocacy.portal.access import PUBLIC, access
from advocacy.publishing import clicks, links


@access(PUBLIC)
@never_cache
def follow(request: HttpRequest, code: str) -> HttpResponse:
    found = links.destination(code)
    if found is None:
        return render(request, "publishing/link_gone.html", status=404)
    share_id, url = found
    user_agent = request.headers.get("User-Agent", "")
    if request.method == "GET" and not clicks.is_bot(user_agent):
        clicks.record_click(share_id, clicks.visitor_hash(request.META.get("REMOTE_ADDR", ""), user_agent))
    return HttpResponseRedirect(url)
