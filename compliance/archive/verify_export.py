"""Verify an export with no database: what an examiner runs on the copy they were given.

Kept apart from ``verify`` because it reads another thing (a directory or zip of ``manifest.json``,
``records.jsonl`` and ``records.csv``) with other limits: a filtered export cannot prove that nothing is
missing between two exported records that are not consecutive. The manifest's byte-exact rendering and
digest live here, and ``export`` writes with them, so that writer and verifier can never disagree on the
format. Each record is hashed and its problems are named exactly as ``verify`` does for the database.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
import zipfile
from pathlib import Path

from compliance.archive.chain import canonical_json
from compliance.archive.verify import Result, content_problem, finish, hash_of


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def row_from_export(item: dict) -> tuple:
    actor = item.get("actor") or {}
    subject = item.get("subject") or {}
    return (
        int(item["seq"]),
        item["timestamp"],
        item["event_type"],
        actor.get("id"),
        actor.get("email", ""),
        actor.get("name", ""),
        subject.get("ref", ""),
        subject.get("repr", ""),
        subject.get("user_id"),
        item.get("network_post_id", ""),
        canonical_json(item["payload"]),
        item["payload_sha256"],
        item["prev_hash"],
        item["hash"],
    )


def render_manifest(manifest: dict) -> bytes:
    """The one byte-exact rendering of a manifest: verification re-renders and compares."""
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def manifest_digest(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return _sha(canonical_json(body))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_export(location: str | Path) -> Result:
    """Verify an export directory (or its zip) without any database: the manifest's own digest, every
    file's SHA-256, each record's hash, the chain wherever consecutive records are both exported, and the
    manifest's counts and first/last seq and hash. A filtered export cannot prove that nothing is missing
    between two exported records that are not consecutive: those breaks are counted, not failed."""
    started = time.monotonic()
    location = Path(location)
    if location.is_file() and zipfile.is_zipfile(location):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(location) as archive:
            archive.extractall(tmp)
            inner = list(Path(tmp).rglob("manifest.json"))
            if not inner:
                return Result().fail("manifest_missing", "the zip holds no manifest.json")
            return verify_export(inner[0].parent)
    result = Result()
    manifest_path = location / "manifest.json"
    if not manifest_path.exists():
        return finish(result.fail("manifest_missing", f"{manifest_path} not found"), started)
    raw = manifest_path.read_bytes()
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        return finish(result.fail("manifest_changed", f"manifest.json is not valid JSON ({exc})"), started)
    if manifest.get("manifest_sha256") != manifest_digest(manifest) or render_manifest(manifest) != raw:
        return finish(result.fail("manifest_changed", "manifest.json was modified after the export"), started)
    for name, expected in sorted(manifest["files"].items()):
        path = location / name
        if not path.exists():
            return finish(result.fail("file_missing", f"{name} is missing"), started)
        actual = file_sha256(path)
        if actual != expected:
            return finish(
                result.fail(
                    "file_changed", f"{name} has SHA-256 {actual[:16]}…, the manifest says {expected[:16]}…"
                ),
                started,
            )
    prev_seq, prev_hash = None, None
    with (
        open(location / "records.jsonl", encoding="utf-8") as fh,
        open(location / "records.csv", encoding="utf-8", newline="") as fcsv,
    ):
        table = csv.reader(fcsv)
        header = next(table, [])
        seq_col, hash_col = header.index("seq"), header.index("hash")
        for line in fh:
            row = row_from_export(json.loads(line))
            seq = row[0]
            if prev_seq is not None and seq <= prev_seq:
                return finish(
                    result.fail("order_swapped", f"seq {seq} appears after seq {prev_seq}", seq), started
                )
            if hash_of(row) != row[13]:
                return finish(content_problem(row, result), started)
            if prev_seq is not None and seq == prev_seq + 1:
                if row[12] != prev_hash:
                    return finish(
                        result.fail(
                            "prev_hash_mismatch",
                            "prev_hash does not match the previous exported record's hash",
                            seq,
                        ),
                        started,
                    )
            elif prev_seq is not None:
                result.chain_breaks_by_filter += 1
            line_csv = next(table, None)
            if line_csv is None or int(line_csv[seq_col]) != seq or line_csv[hash_col] != row[13]:
                return finish(
                    result.fail("csv_mismatch", "records.csv disagrees with records.jsonl", seq), started
                )
            if result.first_seq is None:
                result.first_seq = seq
            prev_seq, prev_hash = seq, row[13]
            result.checked += 1
        if next(table, None) is not None:
            return finish(
                result.fail("csv_mismatch", "records.csv has more rows than records.jsonl"), started
            )
    result.last_seq, result.last_hash = prev_seq, prev_hash
    expected = (manifest["count"], manifest["first_seq"], manifest["last_seq"], manifest["last_hash"])
    if (result.checked, result.first_seq, result.last_seq, result.last_hash) != expected:
        return finish(
            result.fail(
                "manifest_mismatch",
                "the records do not match the manifest's count, first or last sequence number or last hash",
            ),
            started,
        )
    if manifest.get("first_hash") and result.checked:
        with open(location / "records.jsonl", encoding="utf-8") as fh:
            if json.loads(fh.readline())["hash"] != manifest["first_hash"]:
                return finish(
                    result.fail("manifest_mismatch", "first hash differs from the manifest"), started
                )
    return finish(result, started)
