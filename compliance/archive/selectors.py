"""Reads from the archive: search, one record and its neighbours, a post's communication record."""

from __future__ import annotations

from compliance.archive.models import ArchiveVerification


def latest_verification() -> ArchiveVerification | None:
    return ArchiveVerification.objects.order_by("-finished_at").first()
