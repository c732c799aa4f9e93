"""Who may change what about staff, as functions that views, the roster import, admin actions and the shell
all call (a check kept in a view only is a check the others skip).

Privileged roles (``PRIVILEGED_ROLES``, administrator always among them) decide who can approve content,
search the archive and run the bank: they are granted by one administrator and take effect when a second
one approves. Nobody grants themselves anything, and nobody approves what they asked for.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from advocacy.org.models import Role
from advocacy.org.selectors import pending_email_changes, pending_grants, roles_of


class NotAllowed(Exception):
    """A change the rules refuse; ``message`` says why, in the words shown to the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def privileged_roles() -> frozenset[str]:
    return frozenset(settings.RELAIS_PRIVILEGED_ROLES) | {Role.ADMIN.value}


def ordinary_roles() -> list[str]:
    """Roles HR's roster and an administrator's edit may give at once, in ``Role`` order."""
    privileged = privileged_roles()
    return [role for role in Role.values if role not in privileged]


def check_privileged_roles_setting() -> None:
    """A misspelt PRIVILEGED_ROLES entry would leave the role it meant grantable by HR: refuse to start."""
    unknown = sorted(set(settings.RELAIS_PRIVILEGED_ROLES) - set(Role.values))
    if unknown:
        raise ImproperlyConfigured(
            f"PRIVILEGED_ROLES has unknown roles {', '.join(unknown)}; known: {', '.join(Role.values)}."
        )


def is_administrator(user) -> bool:
    """An active member of staff holding the administrator role (Django's flags follow from it)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and Role.ADMIN in roles_of(user))


def role_label(role: str) -> str:
    return str(Role(role).label)


def require_administrator(actor) -> None:
    if not is_administrator(actor):
        raise NotAllowed(_("Only an administrator can do this."))


def grant_refusal(actor, *, subject_user_id: int) -> str | None:
    """Why ``actor`` may not ask for a privileged role for the person, or None when they may."""
    if not is_administrator(actor):
        return _("Only an administrator can grant a privileged role; HR's roster cannot.")
    if actor.pk == subject_user_id:
        return _("Nobody can grant themselves a privileged role: ask another administrator.")
    return None


def decision_refusal(actor, *, requested_by_id: int | None, subject_user_id: int) -> str | None:
    """Why ``actor`` may not approve a request (a privileged grant, an address change): the second pair of
    eyes must be an administrator who neither asked for it nor is the person it concerns."""
    if not is_administrator(actor):
        return _("Only an administrator can approve this.")
    if actor.pk == requested_by_id:
        return _("You asked for this change: a second administrator must approve it.")
    if actor.pk == subject_user_id:
        return _("This change concerns you: another administrator must approve it.")
    return None


def privileged_panel(viewer, profile) -> dict:
    """The person page's privileged roles: those held, the grants waiting, and the roles ``viewer`` may still
    ask for (none on their own page: nobody asks for their own privileges)."""
    held = {r.role for r in profile.roles.all()}
    privileged = privileged_roles()
    grants = list(pending_grants().filter(profile=profile))
    waiting = {g.role for g in grants}
    is_self = profile.user_id == viewer.pk
    grantable = [] if is_self else [r for r in sorted(privileged) if r not in held and r not in waiting]
    return {
        "privileged_held": [(r, role_label(r)) for r in sorted(held & privileged)],
        "grants": grants,
        "grantable": grantable,
        "is_self": is_self,
    }


def approvals_for(actor) -> tuple[list, list]:
    """The grants and address changes waiting for a second administrator, each with ``refusal``: why
    ``actor`` may not decide it (their own request, or about themselves), or None when they may."""
    grants, changes = list(pending_grants()), list(pending_email_changes())
    for item in (*grants, *changes):
        item.refusal = decision_refusal(
            actor, requested_by_id=item.requested_by_id, subject_user_id=item.profile.user_id
        )
    return grants, changes


def email_domain_allowed(email: str) -> bool:
    """Whether ``email`` is in one of the bank's domains (``INVITE_ALLOWED_EMAIL_DOMAINS``; empty: any)."""
    domains = settings.INVITE_ALLOWED_EMAIL_DOMAINS
    if not domains:
        return True
    host = email.rpartition("@")[2].lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def email_domain_refusal(email: str) -> str | None:
    if email_domain_allowed(email):
        return None
    return _("%(email)s is not an address of the bank: staff addresses must end in %(domains)s.") % {
        "email": email,
        "domains": ", ".join("@" + d for d in settings.INVITE_ALLOWED_EMAIL_DOMAINS),
    }
