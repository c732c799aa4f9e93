"""Compliance's supervision pages: the queue (oldest first, filtered by flag), a decision, the rates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.org.access import COMPLIANCE, access
from compliance.supervision import selectors, services
from compliance.supervision.forms import DecisionForm, FlagFilter, RateForm
from compliance.supervision.models import SupervisionItem


@access(COMPLIANCE)
def queue(request: HttpRequest) -> HttpResponse:
    filters = FlagFilter(request.GET or None)
    flag = filters.cleaned_data["flag"] if filters.is_valid() else ""
    page = selectors.page_of(selectors.waiting(flag=flag or None), request.GET)
    return render(
        request,
        "supervision/queue.html",
        {
            "filters": filters,
            "flag": flag,
            "entries": selectors.entries(page),
            "page": page,
            "next_query": urlencode({**({"flag": flag} if flag else {}), "after": page.next_after or ""}),
            "first_query": urlencode({"flag": flag} if flag else {}),
            "decision_form": DecisionForm(),
            "default_rate": settings.SUPERVISION_SAMPLE_PERCENT,
        },
    )


@access(COMPLIANCE)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(SupervisionItem.objects.select_related("reply"), pk=pk)
    form = DecisionForm(request.POST)
    back = reverse("supervision:queue")
    if request.POST.get("flag"):
        back += "?" + urlencode({"flag": request.POST["flag"]})
    if not form.is_valid():
        messages.error(request, _("Choose “Reviewed” or “Escalate”."))
        return redirect(back)
    done = services.decide(
        item=item,
        officer=request.user,
        decision=form.cleaned_data["decision"],
        comment=form.cleaned_data["comment"],
    )
    if done:
        messages.success(request, _("Decision recorded: the reply left the queue."))
    else:
        messages.info(request, _("Another compliance officer already decided on this reply."))
    return redirect(back)


@access(COMPLIANCE)
@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_rate(
            adviser=form.cleaned_data["adviser"],
            percent=form.cleaned_data["percent"],
            by=request.user,
            default=settings.SUPERVISION_SAMPLE_PERCENT,
        )
        messages.success(request, _("Sampling rate saved."))
        return redirect("supervision:rates")
    return render(
        request,
        "supervision/rates.html",
        {"form": form, "rates": selectors.rates(), "default_rate": settings.SUPERVISION_SAMPLE_PERCENT},
    )
