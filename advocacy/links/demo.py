"""Demo clicks (``manage.py seed_demo``): requests through the handler that serves ``/l/`` and the ATS
webhooks in production (``advocacy.wsgi`` sends those paths to the lean ``LinkHandler``), called in process,
so the demo's clicks take the real redirect and the real click intake, as a visitor's would.
"""

from __future__ import annotations

import io
import sys

from advocacy.links import clicks

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def through_handler(method: str, path: str, *, body: bytes = b"", headers=None, remote_addr="127.0.0.1"):
    """One request through ``LinkHandler``: ``(status line, response headers as a dict)``."""
    from advocacy.links.handler import LinkHandler

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "REMOTE_ADDR": remote_addr,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()},
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
    answer = []
    b"".join(LinkHandler()(environ, lambda line, head, exc_info=None: answer.append((line, dict(head)))))
    return answer[0]


def follow_link(link_code: str, *, visitors: int, first_visitor: int = 0) -> list[str]:
    """``visitors`` different people (one address each, a browser's user agent) follow the tracked link
    once: the redirects' targets (empty for a link that did not redirect). Their clicks are buffered by the
    intake; ``clicks.flush()`` (the beat task's work) writes them."""
    targets = []
    for n in range(first_visitor, first_visitor + visitors):
        status, headers = through_handler(
            "GET",
            f"/l/{link_code}",
            headers={"User-Agent": BROWSER},
            remote_addr=f"198.51.{100 + n // 250}.{n % 250 + 1}",
        )
        targets.append(headers.get("Location", "") if status.startswith("302") else "")
    return targets


def flush() -> int:
    return clicks.flush()
