from django.conf import settings
from django.utils.functional import SimpleLazyObject

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from advocacy.portal.navigation import menu_for, sections_of


def portal(request):
    """The shell's context: the menu (from the access rules) and the X banner; templates test no roles."""
    roles = roles_of(getattr(request, "user", None))
    return {
        "bank_name": settings.RELAIS_BANK_NAME,
        # The menu is asked of the access rules (advocacy.portal.navigation), only when a page shows it.
        "nav_menu": SimpleLazyObject(lambda: _menu(request)),
        "nav_sections": SimpleLazyObject(lambda: sections_of(_menu(request))),
        # Publishing: X revoked the adviser's connection (banner in base.html); one query, only if shown.
        "x_reconnect_needed": SimpleLazyObject(lambda: _x_reconnect_needed(request.user, roles)),
    }


def _x_reconnect_needed(user, roles) -> bool:
    if Role.ADVISER not in roles:
        return False
    from advocacy.networks.x.selectors import needs_reconnection

    return needs_reconnection(user)


def _menu(request) -> list:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    return menu_for(user, view_name=match.view_name if match else None)
