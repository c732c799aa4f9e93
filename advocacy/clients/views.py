"""The client book's pages: the adviser's own clients (list, add, edit, consent, delete, erase) and a
read-only list of their scope for managers. Views parse, check access, call ``services``/``erasure``,
render; an adviser reaches only their own clients (anyone else's answers 404, as if it did not exist)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.clients import selectors, services
from advocacy.clients.erasure import erase_client
from advocacy.clients.forms import AddClientForm, ConsentForm, EditClientForm
from advocacy.clients.models import Client
from advocacy.org.access import ADVISERS, access, roles
from advocacy.org.models import Role
from advocacy.web.paging import keyset_page, query_without_cursor

# Managers and administrators read the clients of their scope (``selectors.clients_for``), never change them.
SCOPE_READERS = roles(Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)


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
    form = ConsentForm(request.POST or None, initial={"x_handle": client.x_handle})
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
