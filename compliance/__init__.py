"""Compliance: automatic checks, human review and the tamper-evident archive."""
