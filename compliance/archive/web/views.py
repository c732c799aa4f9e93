"""The compliance function's window on the archive: search, records, communication records, exports and
legal holds. Compliance officers only; nothing here can change a record."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.org.access import COMPLIANCE, access
from advocacy.web.paging import keyset_page, query_without_cursor
from compliance.archive import selectors, subjects
from compliance.archive.export import record_export_download, request_export
from compliance.archive.legal_holds import place_legal_hold
from compliance.archive.legal_holds import release_legal_hold as release_hold  # the view has its name
from compliance.archive.models import ArchiveExport, ArchiveVerification
from compliance.archive.verification_runs import QUEUED
from compliance.archive.web.forms import ExportForm, LegalHoldForm, SearchForm
from compliance.archive.web.verifications import request_verification

PAGE_SIZE = 50


@access(COMPLIANCE)
def search(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page, Newer/Older by seq and no total: counting millions of matching records on
    every page load cost more than the page itself (issue 13)."""
    form = SearchForm(request.GET or None)
    page = None
    if not form.is_bound:
        page = keyset_page(selectors.search_records(), request.GET, key="seq", size=PAGE_SIZE)
    elif form.is_valid():
        filters = form.cleaned_data
        records, window = selectors.search_records(**filters), selectors.search_window(**filters)
        page = keyset_page(records, request.GET, key="seq", size=PAGE_SIZE, window=window)
    if page is not None:
        page.object_list = subjects.labels(page.object_list)
    return render(
        request,
        "archive/search.html",
        {
            "form": form,
            "page": page,
            "query": query_without_cursor(request.GET),
            # The latest verification: ``archive_verification``, from the archive's context processor.
        },
    )


@access(COMPLIANCE)
def record_detail(request: HttpRequest, seq: int) -> HttpResponse:
    view = selectors.record_with_neighbours(seq)
    if view is None:
        raise Http404
    subjects.labels([view.record])
    return render(request, "archive/record.html", {"view": view, "record": view.record})


@access(COMPLIANCE)
def communication(request: HttpRequest, network_post_id: str) -> HttpResponse:
    rec = selectors.communication_record(network_post_id)
    if rec is None:
        raise Http404
    return render(request, "archive/communication.html", {"rec": rec})


@access(COMPLIANCE)
def exports(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        export = request_export(
            actor=request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            adviser_email=form.cleaned_data["adviser_email"] or "",
        )
        messages.success(request, _("Export requested: it is being built."))
        return redirect("archive:export_status", pk=export.pk)
    page = keyset_page(
        selectors.recent_exports(),
        request.GET,
        key="created_at",
        parse=datetime.fromisoformat,
        spell=datetime.isoformat,
        size=20,
    )
    return render(
        request,
        "archive/exports.html",
        {"form": form, "exports": page, "page": page, "query": query_without_cursor(request.GET)},
    )


@access(COMPLIANCE)
def export_status(request: HttpRequest, pk) -> HttpResponse:
    export = get_object_or_404(ArchiveExport, pk=pk)
    template = "archive/_export_status.html" if request.htmx else "archive/export.html"
    return render(request, template, {"export": export})


@access(COMPLIANCE)
def export_download(request: HttpRequest, pk) -> HttpResponse:
    export = get_object_or_404(ArchiveExport, pk=pk, status=ArchiveExport.Status.DONE)
    try:
        handle = open(export.zip_path, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError:
        raise Http404 from None
    record_export_download(export=export, actor=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.zip_path.rsplit("/", 1)[-1],
        content_type="application/zip",
    )


@access(COMPLIANCE)
def legal_holds(request: HttpRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        place_legal_hold(
            actor=request.user,
            reason=form.cleaned_data["reason"],
            user=form.cleaned_data["user"],
            subject_ref=form.cleaned_data["subject_ref"],
        )
        messages.success(request, _("Legal hold placed: the retention purge will keep these records."))
        return redirect("archive:legal_holds")
    holds = keyset_page(selectors.active_legal_holds(), request.GET, key="pk", size=PAGE_SIZE)
    return render(
        request,
        "archive/legal_holds.html",
        {"form": form, "holds": holds, "page": holds, "query": query_without_cursor(request.GET)},
    )


@access(COMPLIANCE)
@require_POST
def release_legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    if release_hold(hold_id=pk, actor=request.user):
        messages.success(request, _("Legal hold released."))
    return redirect("archive:legal_holds")


@access(COMPLIANCE)
def verifications(request: HttpRequest) -> HttpResponse:
    """Start a verification of the whole chain (a worker runs it; its page shows the progress) and read the
    runs so far, whoever started them (the nightly beat, a command, an officer)."""
    if request.method == "POST":
        verification, created = request_verification(actor=request.user)
        if created:
            messages.success(request, _("Verification started: a worker is reading the archive."))
        else:
            messages.info(request, _("A verification is already under way: here is its progress."))
        return redirect("archive:verification", pk=verification.pk)
    page = keyset_page(selectors.verification_history(), request.GET, size=20)
    return render(
        request,
        "archive/verifications.html",
        {"page": page, "runs": page, "query": query_without_cursor(request.GET), "queued": QUEUED},
    )


@access(COMPLIANCE)
def verification(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: its progress while it runs (htmx polls the fragment; without JavaScript the page refreshes
    itself), then its outcome."""
    run = get_object_or_404(ArchiveVerification, pk=pk)
    template = "archive/_verification_status.html" if request.htmx else "archive/verification.html"
    return render(request, template, {"run": run, "queued": QUEUED})
