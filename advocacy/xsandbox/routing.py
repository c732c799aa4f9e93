"""One route of the sandbox: method, path pattern, endpoint name (as used for rate limits, counters and fault
``endpoints``), the handler method's name, its kind and, for the API, the OAuth scopes it needs.

``kind`` says how ``server.SandboxRequestHandler`` calls the handler: ``"api"`` (bearer token, rate limits
and faults first; ``api.py``), ``"control"`` (JSON body in and out; ``control.py``), ``"html"`` / ``"oauth"``
(the handler writes its own response; ``pages.py``, ``oauth.py``).
"""

from __future__ import annotations

import re


class Route:
    def __init__(self, method: str, pattern: str, name: str, handler: str, kind: str, scopes=()):
        self.method = method
        self.regex = re.compile("^" + pattern + "$")
        self.name = name
        self.handler = handler
        self.kind = kind
        self.scopes = scopes
