"""X sandbox: a small stand-in for the subset of X API v2 (and its OAuth 2.0 PKCE flow) that Relais uses.

Standard library only, no Django. Start it with ``python -m advocacy.xsandbox`` or, in tests::

    from advocacy.xsandbox import SandboxServer

    with SandboxServer() as sandbox:  # port 0: an ephemeral port
        user = sandbox.state.add_user("alice")
        access_token, refresh_token = sandbox.state.issue_token(user["id"])
        ...

See README.md in this folder for the endpoints, the fault-injection switches and which module does what.
"""

from .faults import DEFAULT_RATE_LIMITS
from .server import SandboxServer
from .state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxState
from .tokens import DEFAULT_SCOPES
from .weighted import MAX_WEIGHTED_LENGTH, URL_LENGTH, weighted_length

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_SCOPES",
    "MAX_WEIGHTED_LENGTH",
    "URL_LENGTH",
    "SandboxServer",
    "SandboxState",
    "weighted_length",
]
