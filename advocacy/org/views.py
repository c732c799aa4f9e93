"""The Organisation pages: administrators manage staff and branches, and approve what needs four eyes.

Thin on purpose: each view parses a form, calls one service (which checks who may do it, applies the rule
and archives the change) and says what happened. Refusals from the rules (``NotAllowed``) are shown as
messages; objects that do not exist answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.org import identity, privileges
from advocacy.org.access import ADMINS, access
from advocacy.org.forms import (
    BranchForm,
    EmailChangeForm,
    GrantRequestForm,
    RoleForm,
    StaffEditForm,
    StaffFilterForm,
)
from advocacy.org.models import Branch, EmailChangeRequest, RoleGrantRequest, StaffProfile
from advocacy.org.policies import NotAllowed, approvals_for, privileged_panel, privileged_roles, role_label
from advocacy.org.selectors import (
    approvals_waiting,
    pending_email_changes,
    staff_for_administration,
)
from advocacy.org.services import edit_staff, save_branch, set_active

STAFF_PER_PAGE = 50


def _name(profile: StaffProfile) -> str:
    return profile.user.get_full_name() or profile.user.email


@access(ADMINS)
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    people = staff_for_administration(**form.filters())
    page = Paginator(people, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "org/staff_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "waiting": approvals_waiting()},
    )


@access(ADMINS)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(StaffProfile.objects.select_related("user", "branch__region"), pk=pk)
    form = StaffEditForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            changed = edit_staff(profile=profile, actor=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            messages.error(request, exc.message)
        else:
            if changed:
                messages.success(request, _("The changes to %(name)s are saved.") % {"name": _name(profile)})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("org:staff_detail", pk=profile.pk)
    panel = privileged_panel(request.user, profile)
    return render(
        request,
        "org/staff_detail.html",
        {
            "profile": profile,
            "form": form,
            "privileged_held": panel["privileged_held"],
            "grants": panel["grants"],
            "grant_form": GrantRequestForm(grantable=panel["grantable"]) if panel["grantable"] else None,
            "is_self": panel["is_self"],
            "email_change": pending_email_changes().filter(profile=profile).first(),
            "email_form": EmailChangeForm(),
            "waiting": approvals_waiting(),
        },
    )


def _staff_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    """Run ``action(profile)`` -> message, showing a refusal as an error; back to the person's page."""
    profile = get_object_or_404(StaffProfile.objects.select_related("user"), pk=pk)
    try:
        message = action(profile)
    except NotAllowed as exc:
        messages.error(request, exc.message)
    else:
        if message:
            messages.success(request, message)
    return redirect("org:staff_detail", pk=profile.pk)


@access(ADMINS)
@require_POST
def staff_activation(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"

    def act(profile):
        if not set_active(profile=profile, active=active, actor=request.user):
            return None
        if active:
            return _("%(name)s can sign in again.") % {"name": _name(profile)}
        return _("%(name)s can no longer sign in; their open sessions end.") % {"name": _name(profile)}

    return _staff_action(request, pk, act)


@access(ADMINS)
@require_POST
def staff_request_email(request: HttpRequest, pk: int) -> HttpResponse:
    form = EmailChangeForm(request.POST)

    def act(profile):
        if not form.is_valid():
            raise NotAllowed(" ".join(form.errors["new_email"]))
        change, _created = identity.request_email_change(
            profile=profile, new_email=form.cleaned_data["new_email"], actor=request.user, via="portal"
        )
        if change is None:
            return None
        return _(
            "The change to %(email)s waits for another administrator's confirmation; the current address "
            "was told."
        ) % {"email": change.new_email}

    return _staff_action(request, pk, act)


@access(ADMINS)
@require_POST
def staff_request_grant(request: HttpRequest, pk: int) -> HttpResponse:
    form = GrantRequestForm(request.POST, grantable=sorted(privileged_roles()))

    def act(profile):
        if not form.is_valid():
            raise NotAllowed(_("Choose a privileged role."))
        grant, _created = privileges.request_privileged_role(
            profile=profile, role=form.cleaned_data["role"], actor=request.user, via="portal"
        )
        return _("The role %(role)s takes effect once a second administrator approves it.") % {
            "role": role_label(grant.role)
        }

    return _staff_action(request, pk, act)


@access(ADMINS)
@require_POST
def staff_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    form = RoleForm(request.POST)

    def act(profile):
        if not form.is_valid():
            raise NotAllowed(_("Choose a privileged role."))
        role = form.cleaned_data["role"]
        if not privileges.revoke_privileged_role(profile=profile, role=role, actor=request.user):
            return None
        return _("%(name)s no longer holds the role %(role)s.") % {
            "name": _name(profile),
            "role": role_label(role),
        }

    return _staff_action(request, pk, act)


@access(ADMINS)
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits for a second administrator; each row says whether this administrator may approve it."""
    grants, changes = approvals_for(request.user)
    return render(
        request,
        "org/approvals.html",
        {"grants": grants, "changes": changes, "waiting": len(grants) + len(changes)},
    )


def _decision(request: HttpRequest, *, approve, refuse, done: str, refused: str) -> HttpResponse:
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            ok, message = approve(), done
        elif decision == "refuse":
            ok, message = refuse(), refused
        else:
            ok, message = False, None
    except NotAllowed as exc:
        messages.error(request, exc.message)
    else:
        if ok:
            messages.success(request, message)
        elif message:
            messages.warning(request, _("Someone else decided first; nothing was changed."))
    return redirect("org:approvals")


@access(ADMINS)
@require_POST
def decide_grant(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(RoleGrantRequest.objects.select_related("profile__user", "requested_by"), pk=pk)
    names = {"name": _name(grant.profile), "role": role_label(grant.role)}
    return _decision(
        request,
        approve=lambda: privileges.approve_role_grant(grant=grant, actor=request.user),
        refuse=lambda: privileges.refuse_role_grant(grant=grant, actor=request.user),
        done=_("%(name)s now holds the role %(role)s.") % names,
        refused=_("The request for %(role)s for %(name)s is refused.") % names,
    )


@access(ADMINS)
@require_POST
def decide_email_change(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(
        EmailChangeRequest.objects.select_related("profile__user", "requested_by"), pk=pk
    )
    names = {"name": _name(change.profile), "email": change.new_email}
    return _decision(
        request,
        approve=lambda: identity.confirm_email_change(change=change, actor=request.user),
        refuse=lambda: identity.refuse_email_change(change=change, actor=request.user),
        done=_("%(name)s now signs in with %(email)s; their sessions ended.") % names,
        refused=_("The change of %(name)s's address to %(email)s is refused.") % names,
    )


@access(ADMINS)
def branches(request: HttpRequest) -> HttpResponse:
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        branch = _save_branch(request, form, branch=None)
        if branch is not None:
            messages.success(request, _("Branch %(branch)s created.") % {"branch": branch})
            return redirect("org:branches")
    rows = (
        Branch.objects.select_related("region")
        .annotate(staff_count=Count("staff"))
        .order_by("region__name", "name")
    )
    return render(
        request, "org/branches.html", {"form": form, "branches": rows, "waiting": approvals_waiting()}
    )


@access(ADMINS)
def branch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_object_or_404(Branch.objects.select_related("region"), pk=pk)
    initial = {"code": branch.code, "name": branch.name, "city": branch.city, "region": branch.region_id}
    form = BranchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_branch(request, form, branch=branch):
        messages.success(request, _("Branch %(branch)s saved.") % {"branch": branch})
        return redirect("org:branches")
    return render(
        request, "org/branch_edit.html", {"form": form, "branch": branch, "waiting": approvals_waiting()}
    )


def _save_branch(request: HttpRequest, form: BranchForm, *, branch: Branch | None) -> Branch | None:
    try:
        return save_branch(branch=branch, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
    except NotAllowed as exc:
        form.add_error(None, exc.message)
    return None
