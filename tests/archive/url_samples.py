"""URL arguments for the archive's parametrised routes (read by tests/portal/test_access_matrix.py)."""

from compliance.archive.models import ArchiveExport, ArchiveVerification, LegalHold
from compliance.archive.services import record


def _record(personas) -> dict:
    return {"seq": record("test.sample", actor=personas["adviser"], payload={}).seq}


def _post(personas) -> dict:
    record(
        "test.published", actor=personas["adviser"], payload={"network_post_id": "sample-1", "text": "Hi"}
    )
    return {"network_post_id": "sample-1"}


def _export(personas) -> dict:
    export = ArchiveExport.objects.create(
        date_from="2026-01-01", date_to="2026-01-31", requested_by_email="someone@bank.test"
    )
    return {"pk": export.pk}


def _hold(personas) -> dict:
    return {"pk": LegalHold.objects.create(subject_ref="content.contentitem:1", reason="sample").pk}


def _verification(personas) -> dict:
    run = ArchiveVerification.objects.create(started_at="2026-01-01T00:00:00Z", trigger="portal:queued")
    return {"pk": run.pk}


SAMPLES: dict = {
    "archive:verification": _verification,
    "archive:record": _record,
    "archive:communication": _post,
    "archive:export_status": _export,
    "archive:export_download": _export,
    "archive:release_legal_hold": _hold,
}
