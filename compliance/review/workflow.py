"""Moved: the content workflow (state machine and review decisions) is ``advocacy.content.workflow``.

This name only re-exports it for callers outside content and review that still import it (publishing
tests, which another change is moving right now). Import ``advocacy.content.workflow`` in new code; delete
this module once nothing imports it (``grep -rn "compliance.review.workflow"``).
"""

from advocacy.content.workflow import *  # noqa: F403
from advocacy.content.workflow import __all__  # noqa: F401
