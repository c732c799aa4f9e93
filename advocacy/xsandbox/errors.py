"""What the sandbox answers when it refuses: ``ControlError`` (state helpers and ``/_sandbox/...``) and the
problem bodies X API v2 sends (401, 403 duplicate, 429, 503, 400 "Invalid Request", "Not Found Error")."""

from __future__ import annotations

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}


def invalid_request(message: str, parameter: str | None = None, value: object = None) -> dict:
    error: dict = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: [str(value)]}
    return {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def not_found_error(resource_type: str, value: str, parameter: str = "id") -> dict:
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


class ControlError(Exception):
    """A refused control or state-helper call (becomes a JSON error on /_sandbox/...)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message
