"""The lean WSGI handler that serves ``/l/<code>``: Django with only the middleware a redirect needs.

Why a second handler rather than a decorator. Middleware in ``settings.MIDDLEWARE`` runs for every request
before the URL is even resolved, so no view decorator can take a request *out* of it; and
``decorator_from_middleware`` can only add middleware to a view, not remove any. The public way to run a
request through a different middleware list is a different handler: ``LinkHandler`` is Django's own
``WSGIHandler`` (same request class, same signals — ``request_started``/``request_finished`` still close
stale database connections —, same URL resolution through ``ROOT_URLCONF``, same exception-to-response
conversion) whose ``load_middleware`` builds the chain from ``LINK_MIDDLEWARE`` instead of
``settings.MIDDLEWARE``. ``advocacy.wsgi.application`` sends the paths of the ``l/<str:code>`` route to it
(``LINK_PATH``: the same paths the route matches) and everything else to the portal's handler.

What the redirect keeps, in the portal's order (each one's headers are byte-identical to a portal page's:
``tests/publishing/test_tracked_links.py`` compares them through the real WSGI application):

* ``SecurityMiddleware``: the HTTPS redirect, HSTS, ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``Cross-Origin-Opener-Policy``;
* ``CSPMiddleware``: the ``Content-Security-Policy`` (the dead-link page is an HTML page), through
  ``LinkCSPMiddleware``, which builds the configured policy once instead of on every response: django-csp
  builds it per response (twice, with the report-only one, through ``dataclasses.asdict``), a quarter of the
  lean path's own time; the link view sets no per-response policy and uses no nonce, so its header is always
  the configured one (any response or request that does carry its own goes through django-csp as usual);
* ``CommonMiddleware``: the ``ALLOWED_HOSTS`` check (a forged ``Host`` still gets a 400),
  ``DISALLOWED_USER_AGENTS``, and ``Content-Length``. ``LinkRequest.get_host`` remembers the ``Host``
  values Django's own check has accepted (a handful: the portal's names), because that check costs as much
  as the rest of the lean path's middleware together; a refused value is never remembered, and the memory
  is forgotten whenever a setting it depends on changes;
* ``portal.headers.SecurityHeadersMiddleware``: ``Permissions-Policy``. It looks at ``request.user`` only
  when the response does not already forbid storing, and every answer of the link view does
  (``Cache-Control: no-store``); ``request.user`` is an anonymous user here so that an error page would
  not break it;
* ``XFrameOptionsMiddleware``: ``X-Frame-Options: DENY``.

What it drops, because a redirect never reads a session, a user, a form or a message: WhiteNoise (no static
file under ``/l/``), sessions, auth and the idle-session refresh (a signed-in person following a link no
longer costs a session read from the database), CSRF (GET only, no form, no cookie), messages, allauth,
htmx, MFA enforcement (a public page) and the staff time zone. ``LocaleMiddleware`` is dropped too: the
redirect is an empty 302; the dead-link page, which is read, picks the visitor's language itself with
Django's ``get_language_from_request`` (language cookie, then ``Accept-Language``: what the middleware
does) and sends the same ``Content-Language`` and ``Vary: Accept-Language``.
"""

from __future__ import annotations

import functools
import re

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import setting_changed
from django.http import HttpResponseRedirect
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

# The portal's middleware a redirect needs, in the order of settings.MIDDLEWARE (tested).
LINK_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "advocacy.links.handler.LinkCSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "advocacy.portal.headers.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)

# The paths ``path("l/<str:code>", ...)`` matches in the root URLconf (``str`` is ``[^/]+``), as WSGI
# gives them in PATH_INFO.
LINK_PATH = re.compile(r"/l/[^/]+\Z")


# What makes a response's policy its own (django-csp's decorators set these) or exempts it.
_CSP_OWN = tuple(
    f"_csp_{name}{suffix}" for name in ("config", "update", "replace", "exempt") for suffix in ("", "_ro")
)


@functools.cache
def _configured_policy() -> tuple[tuple[str, str], ...]:
    """The headers django-csp sends for the configured policies, built by django-csp itself."""
    built = ((HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True)))
    return tuple((name, value) for name, value in built if value)


class LinkCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the configured policy built once per process."""

    def process_response(self, request, response):
        if (
            settings.DEBUG  # django-csp leaves DEBUG's error pages alone: its own code decides
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _CSP_OWN)
            or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES")
            or (getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
        ):
            return super().process_response(request, response)
        for name, value in _configured_policy():
            response.headers.setdefault(name, value)
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # as django-csp does
        return response


_accepted_hosts: set[str] = set()  # Host headers ``HttpRequest.get_host`` accepted under the current settings
_HOST_SETTINGS = {"ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST"}


def _forget_hosts(*, setting, **kwargs) -> None:
    if setting in _HOST_SETTINGS:
        _accepted_hosts.clear()


setting_changed.connect(_forget_hosts)


def _forget_policy(*, setting, **kwargs) -> None:
    """A changed policy setting (tests, the X sandbox's form-action) is the next response's policy."""
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _configured_policy.cache_clear()


setting_changed.connect(_forget_policy)


class LinkRequest(WSGIRequest):
    user = AnonymousUser()  # no session is read: whoever follows a link is nobody here

    def get_host(self) -> str:
        host = self.META.get("HTTP_HOST")
        if host is None or (settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in self.META):
            return super().get_host()
        if host not in _accepted_hosts:
            super().get_host()  # DisallowedHost (a 400) for a Host that ALLOWED_HOSTS refuses
            if len(_accepted_hosts) < 64:
                _accepted_hosts.add(host)
        return host


NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"  # what Django's never_cache sets


class LinkRedirect(HttpResponseRedirect):
    """A live link's answer: a 302 to ``url``, an empty body, ``Cache-Control: no-store`` and nothing else
    (``Content-Type``, ``Location``, ``Cache-Control``). Always the same shape, so the middleware add the
    same headers to every one: ``LinkHandler`` adds them from what they added to the first one."""

    learnt_headers: tuple[tuple[str, str], ...] = ()  # the middleware's, given by LinkHandler (shared)

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self["Cache-Control"] = NO_STORE

    def items(self):
        """The headers a WSGI handler sends: the response's own, then the middleware's that ``LinkHandler``
        learnt (already checked by Django's header validation when the middleware set them on the first
        redirect, so not set and checked again on every one: ~1.5 µs a header, seven headers)."""
        if self.learnt_headers:
            return [*self.headers.items(), *self.learnt_headers]
        return self.headers.items()


_LINK_REDIRECT_HEADERS = len(LinkRedirect("/").headers)
# ``request.csp_nonce`` once the policy is written, as django-csp's ``process_response`` leaves it: reading it
# raises ``CSPNonceError``. One for every request (it holds nothing of one: its function always raises, so it
# never stores a value). Setting it also breaks the cycle that ``process_request`` made (the request holds a
# lazy nonce whose ``partial`` holds the request): left in place, every redirect's request, its ``META`` and
# the WSGI server's environ became cyclic garbage, ~44 objects a redirect for the collector to find
# (43 young collections per 1,000 redirects under gunicorn; none once broken).
_NONCE_AFTER_RESPONSE = CheckableLazyObject(CSPMiddleware._csp_nonce_post_response)
_UNKNOWN = object()  # not learnt yet (None: learnt that the middleware must run)
_generation = 0  # bumped by every setting change (tests): the headers learnt before are learnt again


def _forget_learnt_headers(**kwargs) -> None:
    global _generation
    _generation += 1


setting_changed.connect(_forget_learnt_headers)


def _raising(exc: Exception):
    def get_response(request):
        raise exc

    return get_response


class LinkHandler(WSGIHandler):
    """``WSGIHandler`` with ``LINK_MIDDLEWARE`` (synchronous, as gunicorn's workers are), composed flat.

    Django composes middleware as nested calls, each wrapped to turn an exception into a response
    (``convert_exception_to_response``). For middleware that only define ``process_request`` and
    ``process_response`` (``MiddlewareMixin`` without its own ``__call__``: all of ``LINK_MIDDLEWARE``) the
    nesting does exactly this: every ``process_request`` in order, the view, every ``process_response`` in
    reverse. ``_flat`` runs that sequence without the nesting, and with one shortcut:

    * a ``process_request`` that answers (the HTTPS redirect) or raises (a refused ``Host``: 400) sends the
      request to the nested chain itself (``_chain``), which answers it as Django does. The hooks run again
      there, which is harmless: they read the request, and django-csp's sets the same lazy nonce again;
    * an exception in a ``process_response`` becomes the response the next ones get, as in the nesting;
    * **a** ``LinkRedirect`` (a live link, the hot path: every click) gets the headers the middleware added to
      the first ``LinkRedirect`` of the process, learnt by running them on it: the same names, values and
      order, sent after its own (``LinkRedirect.items``, what ``WSGIHandler`` sends; they are not put in
      ``response.headers``, which nothing reads once the lean handler returns). What the five middleware add
      to a ``LinkRedirect`` depends on the settings (learnt again after any change), on whether the request is
      secure (HSTS: learnt for each) and on nothing else of the request or the response: Security,
      Permissions-Policy and X-Frame-Options are settings; ``Content-Length`` is the empty body's; the policy
      is the configured one unless a nonce was used (then the middleware run, as for any response), and the
      ``Permissions-Policy`` middleware looks no further once ``no-store`` is there. A learnt answer is kept
      only if the middleware left the response's own headers alone and returned it; a ``LinkRedirect`` that
      gained a header on the way runs them too. A test compares every answer, header for header, with Django's
      own handler nesting the same middleware: secure and not, HSTS on and off, after a setting change
      (``tests/publishing/test_tracked_links.py``).

    Measured in process (``bench/profile_redirect.py``, CPU per redirect): the five middleware cost ~45 µs
    nested (the view alone behind no middleware: ~65 µs against ~110); flat, with the learnt headers, the
    redirect costs ~17-20 µs less (bench/README.md).
    """

    request_class = LinkRequest
    middleware = LINK_MIDDLEWARE

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware, for a fixed list of synchronous middleware.
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        view = convert_exception_to_response(self._get_response)
        handler = view
        instances = []
        for path in reversed(self.middleware):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            instances.insert(0, instance)
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._chain = handler
        self._view = view
        self._request_hooks = [m.process_request for m in instances if hasattr(m, "process_request")]
        self._response_hooks = [
            m.process_response for m in reversed(instances) if hasattr(m, "process_response")
        ]
        self._learnt: dict[bool, tuple[tuple[str, str], ...] | None] = {}  # is_secure() -> headers to add
        self._learnt_generation = _generation
        flat = all(
            isinstance(m, MiddlewareMixin) and type(m).__call__ is MiddlewareMixin.__call__ for m in instances
        )
        self._middleware_chain = convert_exception_to_response(self._flat) if flat else handler

    def _flat(self, request):
        try:
            for hook in self._request_hooks:
                if hook(request) is not None:
                    return self._chain(request)
        except Exception:
            return self._chain(request)
        response = self._view(request)
        if type(response) is not LinkRedirect or "_csp_nonce" in request.__dict__:
            return self._respond(request, response)
        if self._learnt_generation != _generation:
            self._learnt.clear()
            self._learnt_generation = _generation
        secure = request.is_secure()
        learnt = self._learnt.get(secure, _UNKNOWN)
        if learnt is not None and learnt is not _UNKNOWN and len(response.headers) == _LINK_REDIRECT_HEADERS:
            response.learnt_headers = learnt  # sent after its own (LinkRedirect.items)
            request.csp_nonce = _NONCE_AFTER_RESPONSE  # what django-csp's process_response sets
            return response
        own = list(response.items())
        answer = self._respond(request, response)
        if learnt is _UNKNOWN and len(own) == _LINK_REDIRECT_HEADERS:
            after = list(answer.items())
            kept = answer is response and after[: len(own)] == own and not answer.cookies
            self._learnt[secure] = tuple(after[len(own) :]) if kept else None  # None: always run them
        return answer

    def _respond(self, request, response):
        for hook in self._response_hooks:
            try:
                response = hook(request, response)
            except Exception as exc:  # as the nesting does: the next middleware get the error's response
                response = convert_exception_to_response(_raising(exc))(request)
        return response
