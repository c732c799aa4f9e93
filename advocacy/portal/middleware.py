"""Each person sees and types times in their own time zone (Preferences), not the server's."""

from __future__ import annotations

from django.utils import timezone

from advocacy.org.selectors import time_zone_of


class StaffTimeZoneMiddleware:
    """Activate the signed-in person's time zone for the request: templates' ``|date``, forms'
    datetimes and ``timezone.localtime()`` then all speak it. Anyone else gets the bank's ``TIME_ZONE``.

    Costs no query of its own on pages: the zone is read with the roles, which the second-factor gate
    (just before this middleware) has already loaded for the request. The zone is dropped after the
    response, so that the thread's next request (or a test's next line) never inherits it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            timezone.activate(time_zone_of(request.user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
