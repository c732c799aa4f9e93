"""An examiner's export verifies with no database, and stops verifying when one byte changes."""

import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from compliance.archive.export import request_export
from compliance.archive.models import ArchiveExport, ArchiveRecord
from compliance.archive.services import record
from compliance.archive.verify_export import verify_export


@pytest.fixture
def events(adviser, adviser2):
    record("test.published", actor=adviser, payload={"network_post_id": "111", "text": '=HYPERLINK("x")'})
    record("test.published", actor=adviser2, payload={"network_post_id": "222", "text": "Bonjour"})
    record("test.deleted", actor=adviser, payload={"network_post_id": "111"})


def _export(tmp_path, **extra):
    today = timezone.localdate().isoformat()
    out = tmp_path / "export"
    call_command("export_archive", "--from", today, "--to", today, "--out", str(out), *extra.get("args", []))
    return out


def test_an_export_verifies_offline_and_is_itself_archived(events, tmp_path, capsys):
    out = _export(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    result = verify_export(out)
    assert result.ok, result.problem
    assert result.checked == manifest["count"] == ArchiveRecord.objects.count() - 1
    exported = ArchiveRecord.objects.order_by("-seq").first()
    assert exported.event_type == "archive.exported"
    assert exported.payload["manifest_sha256"] == manifest["manifest_sha256"]
    call_command("verify_archive", "--export", str(out))
    assert "chain intact" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["records.jsonl", "records.csv", "manifest.json"])
def test_changing_one_byte_of_any_file_fails_verification(events, tmp_path, name):
    out = _export(tmp_path)
    path = out / name
    data = bytearray(path.read_bytes())
    position = data.index(b"Bonjour") + 1 if b"Bonjour" in data else len(data) // 2
    data[position] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify_export(out)
    assert not result.ok
    with pytest.raises(CommandError):
        call_command("verify_archive", "--export", str(out))


def test_a_filtered_export_checks_each_record_and_the_chain_where_records_are_consecutive(
    events, adviser, tmp_path
):
    out = _export(tmp_path, args=["--adviser", adviser.email])
    lines = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert {line["actor"]["email"] for line in lines if line["actor"]} == {adviser.email}
    result = verify_export(out)
    assert result.ok and result.chain_breaks_by_filter >= 1


def test_a_record_changed_and_rehashed_in_an_export_is_caught_by_the_next_one(events, tmp_path):
    out = _export(tmp_path)
    lines = (out / "records.jsonl").read_text().splitlines()
    # Forge the middle record and rebuild every file hash and the manifest digest, as a careful forger would.
    from compliance.archive import verify
    from compliance.archive.verify_export import row_from_export

    item = json.loads(lines[-2])
    item["payload"]["text"] = "changed"
    row = row_from_export(item)
    item["hash"] = verify.hash_of((*row[:12], item["prev_hash"], ""))
    item["payload_sha256"] = verify.payload_digest(row[10])
    lines[-2] = json.dumps(item, ensure_ascii=False, sort_keys=True)
    (out / "records.jsonl").write_text("\n".join(lines) + "\n")
    result = verify_export(out)
    assert not result.ok


def test_cells_a_spreadsheet_would_run_are_defused_in_the_csv(events, tmp_path):
    out = _export(tmp_path)
    assert "'=HYPERLINK" not in (out / "records.jsonl").read_text()
    csv_text = (out / "records.csv").read_text()
    assert ',"=' not in csv_text and ",=" not in csv_text


def test_the_export_command_refuses_to_overwrite_an_export(events, tmp_path):
    _export(tmp_path)
    with pytest.raises(CommandError, match="already holds"):
        _export(tmp_path)


def test_an_export_requested_in_the_portal_is_built_by_the_task_and_zipped(
    events, compliance_officer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(actor=compliance_officer, date_from=today - timedelta(days=1), date_to=today)
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.DONE, export.error
    assert export.percent == 100
    with zipfile.ZipFile(export.zip_path) as archive:
        assert sorted(n.split("/")[-1] for n in archive.namelist()) == [
            "manifest.json",
            "records.csv",
            "records.jsonl",
        ]
    assert verify_export(export.zip_path).ok


def test_archive_dates_are_bank_days_whatever_zone_the_officer_is_in(settings):
    """The search (officer's zone active) and the export task (no zone) must select the same records."""
    import datetime as dt
    import zoneinfo

    from django.utils import timezone

    from compliance.archive.export import day_bounds

    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        start, end = day_bounds(dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    assert start == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)  # midnight in Paris (UTC+2 in July)
    assert end == dt.datetime(2026, 7, 1, 22, 0, tzinfo=dt.UTC)
