from django.conf import settings
from django.utils.functional import SimpleLazyObject

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of


def portal(request):
    """Navigation flags computed once from the person's roles, so templates hold no access logic."""
    roles = roles_of(getattr(request, "user", None))
    return {
        "bank_name": settings.RELAIS_BANK_NAME,
        "nav": {
            "adviser": Role.ADVISER in roles,
            "authoring": bool(roles & {Role.COMPLIANCE, Role.MARKETING, Role.ADVISER}),
            "campaigns": bool(roles & {Role.COMPLIANCE, Role.MARKETING}),
            "compliance": Role.COMPLIANCE in roles,
            "manager": bool(roles & {Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER}),
            "staff_admin": bool(roles & {Role.HR, Role.ADMIN}),
            "admin": Role.ADMIN in roles,
        },
        "user_roles": roles,
        # Publishing: X revoked the adviser's connection (banner in base.html); one query, only if shown.
        "x_reconnect_needed": SimpleLazyObject(lambda: _x_reconnect_needed(request.user, roles)),
    }


def _x_reconnect_needed(user, roles) -> bool:
    if Role.ADVISER not in roles:
        return False
    from advocacy.networks.x.selectors import needs_reconnection

    return needs_reconnection(user)
