from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.portal.access import STAFF_ADMINS, access


@access(STAFF_ADMINS)
def roster(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/roster.html", {})
