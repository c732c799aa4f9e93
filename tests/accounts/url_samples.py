"""URL arguments for the accounts routes (see tests/portal/url_samples.py)."""

from advocacy.accounts.models import RosterImport
from advocacy.org.models import Role


def _roster_import(personas) -> dict:
    roster_import = RosterImport.objects.create(
        uploaded_by=personas[Role.HR], original_filename="roster.csv", content=b"", sha256="0" * 64
    )
    return {"pk": roster_import.pk}


SAMPLES: dict = {
    "accounts:roster_import": _roster_import,
    "accounts:roster_import_errors": _roster_import,
}
