"""The WSGI application: the portal, and the tracked-link redirect on its lean handler.

``/l/<code>`` (``advocacy.links.handler.LINK_PATH``) is served by ``LinkHandler``, Django's WSGI handler with
only the middleware a redirect needs (security headers, host check); every other path by Django's own
handler with ``settings.MIDDLEWARE``. Both share one configured Django (settings, URLconf, caches,
database connections). Why a second handler, and what it keeps: ``advocacy/links/handler.py``.

The ATS webhooks (``advocacy.recruitment.views.WEBHOOK_PATH``) take the same lean handler: a machine posting
signed JSON has no session, user, CSRF token, message or language either, and intake must keep up with an
ATS's bursts (bench/bench_ats_intake.py).

Once everything a worker loads at start-up is loaded (Django, every app, the URLconf and the views it
imports), that heap is moved out of the garbage collector's reach with ``gc.freeze()``: it lives as long as
the process, yet every full collection walked it again, ~150,000 objects and 800,000 references, 90-190 ms
of CPU in the middle of whichever request tripped it (bench/bench_reach_page.py: the HR offer page's p95 was
those pauses). Frozen objects are never collected (they are not garbage anyway) and young collections are
unchanged; full ones now walk only what was made after start-up.
"""

import gc
import importlib
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
portal = get_wsgi_application()  # sets Django up: the handler below imports models

from advocacy.links.handler import LINK_PATH, LinkHandler  # noqa: E402
from advocacy.recruitment.views import WEBHOOK_PATH  # noqa: E402

links = LinkHandler()
_is_link = LINK_PATH.match
_is_ats_webhook = WEBHOOK_PATH.match


def freeze_startup_heap() -> None:
    """Load now what the first requests would load anyway and keep for the process's life (the URLconf and
    so every view module, the caches' clients and the Redis library they import, each language's
    translation catalogues), collect what start-up left as garbage, and freeze the rest out of the
    collector's generations (see the module's docstring)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the views, a large part of the heap
    for alias in settings.CACHES:
        caches[alias]  # the backend objects; no connection is opened yet
    if any("redis" in c["BACKEND"].lower() for c in settings.CACHES.values()):
        importlib.import_module("redis")  # what RedisCache imports on its first call
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogues
            pass
    gc.collect()
    gc.freeze()


freeze_startup_heap()


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if _is_link(path) or _is_ats_webhook(path):
        return links(environ, start_response)
    return portal(environ, start_response)
