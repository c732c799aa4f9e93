"""URL arguments for recruitment's parametrised routes (read by tests/portal/test_access_matrix.py)."""

SAMPLES: dict = {"recruitment:ats_webhook": lambda personas: {"slug": "greenhouse"}}
