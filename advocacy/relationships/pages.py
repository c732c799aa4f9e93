"""The relationship pages beyond the timeline: the adviser's signals inbox and prospects, the managers' view
of their advisers, compliance's list of capture gaps.

Object-level access is the query itself: an adviser's signals and prospects are filtered by the adviser
(another's signal answers 404 by id; a search never leaves the adviser's own rows), a manager reaches only
the advisers of their scope (another branch's adviser answers 404 by id).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.org.access import ADVISERS, COMPLIANCE, access, roles
from advocacy.org.models import Role
from advocacy.relationships import signals, team
from advocacy.relationships.models import CaptureGap
from advocacy.relationships.prospects import prospects_of
from advocacy.web.paging import keyset_page, query_without_cursor

# Who reads the team view: the client book's scope readers (managers of their branches or region,
# administrators everything); HR, marketing and compliance have no purpose for client data.
TEAM_READERS = roles(Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)
PROSPECTS_PAGE = 50
TEAM_PAGE = 50


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("relationships:inbox")
    return redirect(target or reverse("relationships:inbox"))


@access(ADVISERS)
def inbox(request: HttpRequest) -> HttpResponse:
    """The adviser's signals, newest first, 50 a page (keyset on the id), unread ones marked."""
    page = keyset_page(signals.signals_of(request.user), request.GET, key="pk")
    return render(
        request,
        "relationships/inbox.html",
        {
            "page": page,
            "rows": [signals.row_of(s) for s in page],
            "unread": signals.unread_count(request.user),
            "query": query_without_cursor(request.GET),
        },
    )


@access(ADVISERS)
@require_POST
def signal_read(request: HttpRequest, pk: int) -> HttpResponse:
    if not signals.mark_read(request.user, pk):
        raise Http404
    return _back(request)


@access(ADVISERS)
@require_POST
def signals_all_read(request: HttpRequest) -> HttpResponse:
    count = signals.mark_all_read(request.user)
    if count:
        messages.success(request, _("Every signal is marked as read."))
    return _back(request)


@access(ADVISERS)
def prospects(request: HttpRequest) -> HttpResponse:
    """People who engage with the adviser and are not their clients, most engaged first (one aggregate)."""
    q = request.GET.get("q", "").strip()
    page = Paginator(prospects_of(request.user, q=q), PROSPECTS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "relationships/prospects.html",
        {"page": page, "q": q, "query": query_without_cursor(request.GET, "page")},
    )


@access(TEAM_READERS)
def team_list(request: HttpRequest) -> HttpResponse:
    """The advisers of the manager's scope with their relationship figures, sortable, 50 a page."""
    advisers, sort = team.sorted_by(
        team.with_figures(team.advisers_in_scope(request.user)), request.GET.get("sort", "name")
    )
    page = Paginator(advisers, TEAM_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "relationships/team.html",
        {
            "page": page,
            "rows": team.rows_of(page.object_list),
            "sort": sort,
            "sorts": _sort_links(sort),
            "query": query_without_cursor(request.GET, "page"),
            "window": team.WINDOW_DAYS,
        },
    )


def _sort_links(current: str) -> dict[str, str]:
    """For each sortable column, the ``sort`` its header link asks for (the same column again: reversed)."""
    return {key: (f"-{key}" if current == key else key) for key in team.SORTS}


@access(TEAM_READERS)
def team_adviser(request: HttpRequest, user_id: int) -> HttpResponse:
    """One adviser of the manager's scope: their figures and the clients who engaged lately (404 outside)."""
    adviser = get_object_or_404(team.with_figures(team.advisers_in_scope(request.user)), pk=user_id)
    (row,) = team.rows_of([adviser])
    return render(
        request,
        "relationships/team_adviser.html",
        {
            "row": row,
            "engaged": [
                {
                    "name": signals.client_name_parts(e["client__first_name"], e["client__last_name"])
                    or e["client__client_ref"],
                    "engagements": e["engagements"],
                    "last_engaged": e["last_engaged"],
                }
                for e in team.engaged_clients_of(adviser)
            ],
            "window": team.WINDOW_DAYS,
        },
    )


@access(COMPLIANCE)
def capture_gaps(request: HttpRequest) -> HttpResponse:
    """Stretches of inbound activity Relais may have missed (mentions beyond X's reach), newest first."""
    gaps = CaptureGap.objects.select_related("account__user").order_by("-pk")
    page = keyset_page(gaps, request.GET, key="pk")
    return render(
        request,
        "relationships/capture_gaps.html",
        {"page": page, "rows": list(page), "query": query_without_cursor(request.GET)},
    )
