from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from advocacy.accounts.adapter import remember_language
from advocacy.accounts.forms import PreferencesForm, RosterUploadForm
from advocacy.accounts.models import RosterImport
from advocacy.accounts.roster_messages import shown
from advocacy.accounts.roster_uploads import start_roster_import, write_errors_csv
from advocacy.org.access import SIGNED_IN, STAFF_ADMINS, access
from advocacy.org.services import set_preferences
from advocacy.org.timezones import zone_named

IMPORTS_PER_PAGE = 20
ERRORS_SHOWN = 500  # the page shows the first ones; the CSV download has them all


@access(STAFF_ADMINS)
def roster(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            roster_import = start_roster_import(
                data=b"".join(upload.chunks()),
                filename=upload.name,
                actor=request.user,
                deactivate_missing=form.cleaned_data["deactivate_missing"],
                send_invitations=form.cleaned_data["send_invitations"],
            )
            messages.success(request, _("The file was received; the import runs in the background."))
            return redirect("accounts:roster_import", pk=roster_import.pk)
    else:
        form = RosterUploadForm()
    imports = RosterImport.objects.defer("content", "errors").select_related("uploaded_by")
    page = Paginator(imports, IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/roster.html", {"form": form, "page": page})


@access(STAFF_ADMINS)
@never_cache
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's progress; htmx polls the partial every second until the import is finished."""
    imports = RosterImport.objects.defer("content").select_related("uploaded_by")
    roster_import = get_object_or_404(imports, pk=pk)
    context = {
        "roster_import": roster_import,
        "errors": [{**error, "message": shown(error)} for error in roster_import.errors[:ERRORS_SHOWN]],
        "more_errors": max(0, len(roster_import.errors) - ERRORS_SHOWN),
    }
    if request.htmx:
        return render(request, "accounts/_roster_import_status.html", context)
    return render(request, "accounts/roster_import.html", context)


@access(STAFF_ADMINS)
def roster_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    roster_import = get_object_or_404(RosterImport.objects.only("pk", "errors", "original_filename"), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-import-{roster_import.pk}-errors.csv"'
    write_errors_csv(roster_import, response)
    return response


@access(SIGNED_IN)
def preferences(request: HttpRequest) -> HttpResponse:
    """Each person's language and time zone. Staff without a profile (an administrator created on the
    command line) have no preferences to keep: 404."""
    profile = getattr(request.user, "staff", None)
    if profile is None:
        raise Http404
    initial = {"language": profile.language, "time_zone": profile.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        language, time_zone = form.cleaned_data["language"], form.cleaned_data["time_zone"]
        set_preferences(profile=profile, language=language, time_zone=time_zone)
        with translation.override(language):  # the confirmation speaks the language just chosen
            saved = _("Your preferences are saved. Times are now shown in %(zone)s.")
        messages.success(request, saved % {"zone": zone_named(time_zone)})
        response = redirect("accounts:preferences")
        remember_language(response, language)
        return response
    return render(
        request,
        "accounts/preferences.html",
        {"form": form, "current_zone": str(zone_named(profile.time_zone)), "bank_zone": settings.TIME_ZONE},
    )
