"""The client book's pages: the adviser's own clients (list, add, edit, consent, delete, erase, timeline), a
read-only list and timelines of their scope for managers, and the CRM import pages for managers and
administrators. Views parse, check access, call ``services``/``erasure``/``uploads``, render; an adviser
reaches only their own clients (anyone else's answers 404, as if it did not exist)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from advocacy.clients import selectors, services, timeline, uploads
from advocacy.clients.erasure import erase_client
from advocacy.clients.forms import AddClientForm, ClientImportForm, ConsentForm, EditClientForm
from advocacy.clients.models import Client
from advocacy.org.access import ADVISERS, access, roles
from advocacy.org.models import Role
from advocacy.web.paging import keyset_page, query_without_cursor

# Managers and administrators read the clients of their scope (``selectors.clients_for``), never change them.
SCOPE_READERS = roles(Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)
# A client's timeline: their adviser, and read-only the scope readers.
TIMELINE_READERS = roles(Role.ADVISER, Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)
IMPORTS_PER_PAGE = 20
ERRORS_PER_PAGE = 100


def _own(request: HttpRequest, pk: int) -> Client:
    return get_object_or_404(
        Client.objects.filter(adviser_id=request.user.pk).select_related("current_consent"), pk=pk
    )


def _list(request: HttpRequest, clients, *, read_only: bool) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = keyset_page(clients, request.GET, key="pk")
    rows = [(client, *selectors.book_status(client)) for client in page]
    return render(
        request,
        "clients/list.html",
        {
            "rows": rows,
            "page": page,
            "q": q,
            "read_only": read_only,
            "query": query_without_cursor(request.GET),
        },
    )


@access(ADVISERS)
def client_list(request: HttpRequest) -> HttpResponse:
    """The adviser's own clients, newest first, 50 a page; ``q`` finds a name, a reference or a handle."""
    clients = selectors.clients_for(request.user, q=request.GET.get("q", "")).filter(
        adviser_id=request.user.pk
    )
    return _list(request, clients, read_only=False)


@access(SCOPE_READERS)
def scope_list(request: HttpRequest) -> HttpResponse:
    """The clients of a manager's branches (all for an administrator), read-only."""
    clients = selectors.clients_for(request.user, q=request.GET.get("q", "")).select_related("branch")
    return _list(request, clients, read_only=True)


@access(ADVISERS)
def client_add(request: HttpRequest) -> HttpResponse:
    form = AddClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.add_client(adviser=request.user, **form.cleaned_data)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Client added. Record their consent to link their X account."))
            handle = request.GET.get("x_handle", "")  # a prospect made a client: the consent form offers it
            if handle:
                consent = reverse("clients:consent", args=[client.pk])
                return redirect(f"{consent}?{urlencode({'x_handle': handle})}")
            return redirect("clients:consent", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": None})


@access(ADVISERS)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own(request, pk)
    initial = {"first_name": client.first_name, "last_name": client.last_name, "x_handle": client.x_handle}
    form = EditClientForm(request.POST or None, initial=initial, client=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.edit_client(
            client,
            by=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            x_handle=data.get("x_handle", ""),
        )
        messages.success(request, _("Client saved."))
        return redirect("clients:list")
    return render(request, "clients/form.html", {"form": form, "client": client})


@access(ADVISERS)
def client_consent(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own(request, pk)
    form = ConsentForm(
        request.POST or None, initial={"x_handle": client.x_handle or request.GET.get("x_handle", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_consent(
            client,
            by=request.user,
            method=data["method"],
            consent_date=data["consent_date"],
            x_handle=data["x_handle"],
        )
        messages.success(request, _("Consent recorded."))
        return redirect("clients:list")
    return render(
        request,
        "clients/consent.html",
        {"form": form, "client": client, "wording_version": settings.CLIENT_CONSENT_WORDING_VERSION},
    )


def _confirm(request: HttpRequest, client: Client, action: str) -> HttpResponse:
    return render(request, "clients/confirm.html", {"client": client, "action": action})


@access(ADVISERS)
def client_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own(request, pk)
    if request.method == "POST":
        services.withdraw_consent(client, by=request.user)
        messages.success(request, _("Consent withdrawn: the client is no longer linked to an X account."))
        return redirect("clients:list")
    return _confirm(request, client, "withdraw")


@access(ADVISERS)
def client_delete(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own(request, pk)
    if request.method == "POST":
        services.remove_client(client, by=request.user)
        messages.success(request, _("Client deleted."))
        return redirect("clients:list")
    return _confirm(request, client, "delete")


@access(ADVISERS)
def client_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """The client asked to be forgotten (GDPR art. 17): everything held about them goes."""
    client = _own(request, pk)
    if request.method == "POST":
        erase_client(client, by=request.user, reason="request")
        messages.success(request, _("Client erased."))
        return redirect("clients:list")
    return _confirm(request, client, "erase")


@access(TIMELINE_READERS)
def client_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """What one client did to their adviser's account, newest first, 50 a page by keyset on the
    (client, -id) index, under the client's consent state. Their adviser reads it; a manager reads it
    for the clients of their scope (``clients_for``), read-only; anyone else's client answers 404."""
    client = get_object_or_404(
        selectors.clients_for(request.user).select_related("branch", "current_consent__recorded_by"), pk=pk
    )
    own = client.adviser_id == request.user.pk
    page = keyset_page(timeline.interactions_of(client), request.GET, key="pk")
    code, label, badge = selectors.book_status(client)
    return render(
        request,
        "clients/timeline.html",
        {
            "client": client,
            "status_code": code,
            "status_label": label,
            "status_badge": badge,
            "consent": client.current_consent,
            "page": page,
            "rows": list(page),
            "read_only": not own,
            "can_answer": own,
            "query": query_without_cursor(request.GET),
        },
    )


@access(SCOPE_READERS)
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a CRM export (a worker imports it; its page shows the progress), and the uploads so far:
    a manager's own, every one for an administrator, newest first by keyset."""
    if request.method == "POST":
        form = ClientImportForm(request.POST, request.FILES)
        if form.is_valid():
            client_import = uploads.start_client_import(
                data=form.cleaned_data["data"],
                filename=form.cleaned_data["file"].name,
                actor=request.user,
                adviser_column=form.cleaned_data["adviser_column"],
            )
            messages.success(request, _("The file was received; the import runs in the background."))
            return redirect("clients:import", pk=client_import.pk)
    else:
        form = ClientImportForm()
    page = keyset_page(uploads.imports_visible_to(request.user), request.GET, key="pk", size=IMPORTS_PER_PAGE)
    return render(
        request,
        "clients/imports.html",
        {"form": form, "page": page, "rows": list(page), "query": query_without_cursor(request.GET)},
    )


@access(SCOPE_READERS)
@never_cache
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One upload: its progress while it runs (htmx polls the fragment; without JavaScript the page
    refreshes itself), then its counts and its row errors, 100 a page in line order."""
    client_import = get_object_or_404(uploads.imports_visible_to(request.user), pk=pk)
    context = {"client_import": client_import}
    if client_import.is_finished:
        after = _int(request.GET.get("after"))
        errors = list(client_import.row_errors.filter(pk__gt=after).order_by("pk")[: ERRORS_PER_PAGE + 1])
        context |= {
            "errors": [(error, uploads.error_message(error)) for error in errors[:ERRORS_PER_PAGE]],
            "next_errors": errors[ERRORS_PER_PAGE - 1].pk if len(errors) > ERRORS_PER_PAGE else None,
            "errors_paged": after > 0,
        }
    if request.htmx:
        return render(request, "clients/_import_status.html", context)
    return render(request, "clients/import.html", context)


def _int(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


@access(SCOPE_READERS)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    client_import = get_object_or_404(uploads.imports_visible_to(request.user), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="client-import-{client_import.pk}-errors.csv"'
    uploads.write_errors_csv(client_import, response)
    return response
