"""The single entry point into the regulatory archive.

Temporary minimal version (plain append); the archive work replaces it with the hash-chained,
trigger-protected implementation behind the same signature.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def record(event_type: str, *, subject: Any = None, actor: Any = None, payload: dict | None = None) -> None:
    logger.info("archive %s subject=%r actor=%r", event_type, subject, getattr(actor, "pk", actor))
