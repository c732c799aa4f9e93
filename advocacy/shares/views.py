"""Share pages: the share flow, My shares, cancel and reschedule, and compliance's recalls overview.

Views parse, check access, call a service or selector, and render (CONTRIBUTING-NOTES).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from advocacy.content.models import ContentItem
from advocacy.networks.x import selectors as x_selectors
from advocacy.org.access import COMPLIANCE, SIGNED_IN, access
from advocacy.shares import selectors, services
from advocacy.shares.forms import ShareForm, adviser_timezone
from advocacy.shares.models import Share
from advocacy.web.paging import keyset_page, query_without_cursor


# Any member of staff: advisers share every category, everyone else job offers (``can_share`` decides, 404
# otherwise); My shares, cancel and reschedule act on the person's own shares only.
@access(SIGNED_IN)
def share(request: HttpRequest, item_id: int) -> HttpResponse:
    """The share flow: exactly what will be posted, then "share now" or "schedule"."""
    item = get_object_or_404(ContentItem.objects.select_related("current_version"), pk=item_id)
    if not services.can_share(request.user, item):
        raise Http404
    tz = adviser_timezone(request.user)
    account = x_selectors.x_account_of(request.user)
    preview = services.preview_share(adviser=request.user, item=item)
    form = ShareForm(request.POST or None, tz=tz)
    if request.method == "POST" and form.is_valid():
        when = form.cleaned_data["when"] if "schedule" in request.POST else None
        try:
            services.schedule_share(adviser=request.user, item=item, when=when, actor=request.user)
        except services.ShareRefused as exc:
            form.add_error("when" if when else None, str(exc))
        else:
            if when:
                messages.success(
                    request,
                    form.scheduled_message(when)
                    + " "
                    + _("You can cancel it from My shares until it goes out."),
                )
            else:
                messages.success(request, _("Sent to X. It appears in My shares as soon as X confirms it."))
            return redirect("shares:my_shares")
    return render(
        request,
        "shares/share.html",
        {
            "item": item,
            "preview": preview,
            "form": form,
            "account": account,
            "timezone_name": str(tz),
            "state": selectors.share_state_of(request.user, item),
        },
    )


@access(SIGNED_IN)
def my_shares(request: HttpRequest) -> HttpResponse:
    page = keyset_page(selectors.shares_of(request.user), request.GET, key="pk")
    groups = selectors.grouped_for_my_shares(selectors.with_click_figures(page.object_list))
    tz = adviser_timezone(request.user)
    return render(
        request,
        "shares/my_shares.html",
        {
            "groups": groups,
            "recall_notices": selectors.recall_notices_for(request.user),
            "page": page,
            "query": query_without_cursor(request.GET),
            "account": x_selectors.x_account_of(request.user),
            "form": ShareForm(tz=tz),
            "timezone_name": str(tz),
        },
    )


def _own_share(request: HttpRequest, pk: int) -> Share:
    return get_object_or_404(
        Share.objects.select_related("item", "adviser"), pk=pk, adviser_id=request.user.pk
    )


@access(SIGNED_IN)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    share = _own_share(request, pk)
    # Stored, so the English source string; shown translated (Share.reason).
    reason = gettext_noop("Cancelled by the adviser.")
    if services.cancel_share(share=share, actor=request.user, reason=reason):
        messages.success(request, _("The share is cancelled."))
    else:
        messages.error(request, _("Too late to cancel: this share is already going out or has gone out."))
    return redirect("shares:my_shares")


@access(SIGNED_IN)
@require_POST
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    share = _own_share(request, pk)
    form = ShareForm(request.POST, tz=adviser_timezone(request.user))
    if form.is_valid():
        when = form.cleaned_data["when"]
        try:
            services.reschedule_share(share=share, when=when, actor=request.user)
        except services.ShareRefused as exc:
            messages.error(request, str(exc))
        else:
            done = _("Scheduled again with the current approved text.")
            messages.success(request, f"{done} {form.scheduled_message(when)}" if when else done)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("shares:my_shares")


@access(COMPLIANCE)
def compliance_recalls(request: HttpRequest) -> HttpResponse:
    unconfirmed, unconfirmed_count = selectors.unconfirmed_shares()
    return render(
        request,
        "shares/compliance_recalls.html",
        {
            "recalls": selectors.recalls_in_progress(),
            "unconfirmed": unconfirmed,
            "unconfirmed_count": unconfirmed_count,
        },
    )
