"""Fault switches and rate-limit windows: what the API consults before it acts.

``FaultSwitches`` is a part of ``SandboxState`` (``state.py``), relying on its ``lock``, ``now()``, ``faults``
and ``rate_windows``. The switches are set through ``/_sandbox/faults`` and ``/_sandbox/rate_limits``
(``control.py``) or ``state.set_faults(...)`` / ``state.set_rate_limits(...)`` in tests, and consumed by
``api.py``. None of this is persisted in the state file.
"""

from __future__ import annotations

from .errors import ControlError

# endpoint name -> (requests allowed, window in seconds), per user.
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "GET /2/users/me": (75, 900),
    "GET /2/users/:id": (900, 900),
    "GET /2/users/by/username/:username": (900, 900),
    "POST /2/tweets": (100, 900),
    "DELETE /2/tweets/:id": (50, 900),
    "GET /2/tweets": (900, 900),
    "GET /2/tweets/:id": (900, 900),
    "GET /2/users/:id/tweets": (900, 900),
    "GET /2/users/:id/mentions": (180, 900),
    "GET /2/users/:id/followers": (15, 900),
    # x-api/fundamentals/rate-limits.mdx (per user / per app, 15 minutes)
    "GET /2/users/by": (900, 900),
    "GET /2/tweets/:id/liking_users": (75, 900),
    "GET /2/tweets/:id/retweeted_by": (75, 900),
    "POST /2/webhooks": (450, 900),
    "GET /2/webhooks": (450, 900),
    "DELETE /2/webhooks/:id": (450, 900),
    "POST /2/activity/subscriptions": (500, 900),
    "GET /2/activity/subscriptions": (500, 900),
    "DELETE /2/activity/subscriptions/:id": (500, 900),
}
API_ENDPOINTS = tuple(DEFAULT_RATE_LIMITS)

FAULT_DEFAULTS = {
    "rate_limit_next": 0,
    "error_5xx_next": 0,
    "latency_ms": 0,
    "malformed_json_next": 0,
    "timeout_after_commit_next": 0,
    "reset_after_s": 60,
    "timeout_mode": "close",  # "close": drop the connection without answering; "delay": answer too late
    "timeout_delay_s": 10.0,
    "endpoints": None,  # None: every API endpoint; else a list of endpoint names like "POST /2/tweets"
}


class FaultSwitches:
    """Fault switches and fixed rate-limit windows of ``SandboxState`` (see the module docstring)."""

    def set_faults(self, **changes) -> dict:
        """Merge fault switches (see FAULT_DEFAULTS / README). ``clear=True`` resets them first."""
        with self.lock:
            if changes.pop("clear", False):
                self.faults = dict(FAULT_DEFAULTS)
            for key, value in changes.items():
                if key not in FAULT_DEFAULTS:
                    raise ControlError(400, f"unknown fault switch {key!r}")
                if key == "endpoints":
                    if value is not None:
                        unknown = [e for e in value if e not in API_ENDPOINTS]
                        if unknown:
                            raise ControlError(
                                400, f"unknown endpoints {unknown}; known: {list(API_ENDPOINTS)}"
                            )
                        value = list(value)
                elif key == "timeout_mode":
                    if value not in ("close", "delay"):
                        raise ControlError(400, "timeout_mode must be 'close' or 'delay'")
                elif key in ("timeout_delay_s", "reset_after_s"):
                    value = float(value)
                else:
                    value = int(value)
                self.faults[key] = value
            return dict(self.faults)

    def _fault_applies(self, endpoint: str) -> bool:
        endpoints = self.faults["endpoints"]
        return endpoints is None or endpoint in endpoints

    def take_fault(self, endpoint: str, switch: str) -> bool:
        """Consume one unit of a counted fault switch if it applies to ``endpoint``."""
        with self.lock:
            if self.faults.get(switch, 0) > 0 and self._fault_applies(endpoint):
                self.faults[switch] -= 1
                return True
            return False

    def latency_for(self, endpoint: str) -> float:
        with self.lock:
            if self._fault_applies(endpoint):
                return self.faults["latency_ms"] / 1000.0
            return 0.0

    # ------------------------------------------------------------ rate limits

    def set_rate_limits(self, limits: dict) -> None:
        with self.lock:
            for endpoint, value in limits.items():
                if endpoint not in API_ENDPOINTS:
                    raise ControlError(400, f"unknown endpoint {endpoint!r}")
                if isinstance(value, dict):
                    value = (value["limit"], value.get("window_s", 900))
                limit, window = value
                self.rate_limits[endpoint] = (int(limit), int(window))
                for key in [k for k in getattr(self, "rate_windows", {}) if k[1] == endpoint]:
                    del self.rate_windows[key]

    def rate_limit(self, key: str, endpoint: str, consume: bool) -> tuple[int, int, int, bool]:
        """Fixed window per (user, endpoint). Returns ``(limit, remaining, reset_epoch, allowed)``."""
        with self.lock:
            limit, window = self.rate_limits.get(endpoint, (900, 900))
            now = self.now()
            slot = self.rate_windows.get((key, endpoint))
            if slot is None or slot[0] + window <= now:
                slot = [now, 0]
                self.rate_windows[(key, endpoint)] = slot
            allowed = slot[1] < limit
            if consume and allowed:
                slot[1] += 1
            return limit, max(limit - slot[1], 0), int(slot[0] + window), allowed
