"""The WSGI application: the portal, and the tracked-link redirect on its lean handler.

``/l/<code>`` (``advocacy.links.handler.LINK_PATH``) is served by ``LinkHandler``, Django's WSGI handler with
only the middleware a redirect needs (security headers, host check); every other path by Django's own
handler with ``settings.MIDDLEWARE``. Both share one configured Django (settings, URLconf, caches,
database connections). Why a second handler, and what it keeps: ``advocacy/links/handler.py``.

The ATS webhooks (``advocacy.recruitment.views.WEBHOOK_PATH``) take the same lean handler: a machine posting
signed JSON has no session, user, CSRF token, message or language either, and intake must keep up with an
ATS's bursts (bench/bench_ats_intake.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
portal = get_wsgi_application()  # sets Django up: the handler below imports models

from advocacy.links.handler import LINK_PATH, LinkHandler  # noqa: E402
from advocacy.recruitment.views import WEBHOOK_PATH  # noqa: E402

links = LinkHandler()
_is_link = LINK_PATH.match
_is_ats_webhook = WEBHOOK_PATH.match


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if _is_link(path) or _is_ats_webhook(path):
        return links(environ, start_response)
    return portal(environ, start_response)
