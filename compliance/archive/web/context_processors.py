"""The archive's flag for every page: whether compliance officers must see the "verification failed"
banner. One indexed query, only for compliance officers; the archive's own page shows the same run
(``archive_verification``) rather than reading it a second time (issue 13)."""

from __future__ import annotations

from advocacy.org.models import Role
from advocacy.org.selectors import roles_of
from compliance.archive.selectors import latest_verification


def archive_status(request):
    if Role.COMPLIANCE not in roles_of(getattr(request, "user", None)):
        return {"archive_alert": None, "archive_verification": None}
    latest = latest_verification()
    return {
        "archive_alert": latest if latest is not None and not latest.ok else None,
        "archive_verification": latest,
    }
