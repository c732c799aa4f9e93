from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from advocacy.org.access import ADMINS, PUBLIC, SIGNED_IN, access
from advocacy.org.models import StaffProfile
from advocacy.portal.health import health_report, status_report
from advocacy.portal.selectors import home_panels_for


@access(SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", home_panels_for(request.user, params=request.GET))


@access(PUBLIC)
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Database, broker and worker reachability. 503 when the database or the broker is down, so that a
    load balancer stops sending traffic; a stale worker is reported but does not fail the web probe."""
    report = health_report()
    status = 200 if report["database"]["ok"] and report["broker"]["ok"] else 503
    if request.headers.get("Accept", "").startswith("text/html"):
        return render(request, "portal/health.html", {"report": report}, status=status)
    return JsonResponse(report, status=status)


@access(ADMINS)
@never_cache
def status(request: HttpRequest) -> HttpResponse:
    """What /health/ probes, plus X and the archive's last verification, in words an administrator acts on."""
    lines = status_report()
    return render(request, "portal/status.html", {"lines": lines, "all_ok": all(line.ok for line in lines)})


@access(PUBLIC)
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus the signed-in person's preference, so the next sign-in keeps it."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(StaffProfile.Language.choices):
        StaffProfile.objects.filter(user_id=request.user.pk).update(language=language)
    return response
