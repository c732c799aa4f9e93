"""URL arguments for the supervision routes (tests/portal/test_access_matrix.py). ``decide`` is POST only:
compliance's GET answers 405 before any lookup, every other role 403."""

from __future__ import annotations

SAMPLES: dict = {"supervision:decide": lambda personas: {"pk": 1}}
