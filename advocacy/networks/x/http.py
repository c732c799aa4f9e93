"""HTTP plumbing for every call to X: one place that points them at ``X_API_BASE_URL`` with a timeout.

tweepy hard-codes ``https://api.twitter.com`` and sets no timeout; allauth's twitter_oauth2 provider uses
``https://api.x.com``. Both send through a ``requests.Session``, so a transport adapter mounted on that
session rewrites the host and enforces the timeout, whichever library built the request. With the
default base URL nothing is rewritten, only timed.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

X_HOSTS = ("https://api.twitter.com", "https://api.x.com")


class XRoutingAdapter(HTTPAdapter):
    def __init__(self, base_url: str, timeout: float, **kwargs):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        for host in X_HOSTS:
            if request.url.startswith(host + "/") and not self.base_url.startswith(host):
                base = urlsplit(self.base_url)
                rest = urlsplit(request.url)
                request.url = urlunsplit(
                    (base.scheme, base.netloc, base.path.rstrip("/") + rest.path, rest.query, rest.fragment)
                )
                break
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def route_x_calls(session: requests.Session) -> requests.Session:
    adapter = XRoutingAdapter(settings.X_API_BASE_URL, settings.X_TIMEOUT_SECONDS)
    for host in X_HOSTS:
        session.mount(host + "/", adapter)
    if not settings.X_API_BASE_URL.startswith(X_HOSTS):
        session.mount(settings.X_API_BASE_URL.rstrip("/") + "/", adapter)
    from_env = session.merge_environment_settings(settings.X_API_BASE_URL, {}, None, None, None)
    session.proxies.update(from_env["proxies"])
    session.verify = from_env["verify"]
    session.trust_env = False
    return session


def x_api_answers() -> tuple[bool, str]:
    """Whether X's API (or the sandbox standing in for it) answers at ``X_API_BASE_URL``: any HTTP answer,
    even a refusal of an unauthenticated call, means the network path and the server are up. For the
    administrators' status page; bounded by ``X_TIMEOUT_SECONDS``."""
    session = route_x_calls(requests.Session())
    try:
        answer = session.get(f"{settings.X_API_BASE_URL}/2/openapi.json", timeout=settings.X_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        return False, type(exc).__name__
    finally:
        session.close()
    return answer.status_code < 500, f"HTTP {answer.status_code}"
