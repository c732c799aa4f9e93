"""Checkpoints: copies of the chain's head kept apart from the chain, so that a rewrite of the records
that also recomputes every hash still disagrees with something.

Written daily (the ``write_daily_checkpoint`` task) or on demand (``manage.py archive_checkpoint``); read back
by ``verify.verify_database``, which compares the chain with every checkpoint in the database and, through
``verify.read_checkpoint_file``, with the lines of the external file (one JSON object a line).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from compliance.archive.chain import timestamp
from compliance.archive.models import ArchiveCheckpoint, ArchiveHead


def write_checkpoint(
    *, kind: str = ArchiveCheckpoint.Kind.DAILY, file_path: str | None = None
) -> ArchiveCheckpoint | None:
    """Copy the current head into ``ArchiveCheckpoint`` and, when a path is configured, append it to an
    external file (ideally on other storage: WORM bucket, another host). A rewrite of the chain that also
    rewrites the database's checkpoints still disagrees with the file. Nothing to do on an empty archive."""
    head = ArchiveHead.objects.values_list("seq", "hash").first()
    if not head or head[0] == 0:
        return None
    checkpoint = ArchiveCheckpoint.objects.create(
        seq=head[0], hash=head[1], created_at=timezone.now(), kind=kind
    )
    path = file_path or settings.ARCHIVE_CHECKPOINT_FILE
    if path:
        line = json.dumps(
            {"created_at": timestamp(checkpoint.created_at), "hash": checkpoint.hash, "seq": checkpoint.seq},
            sort_keys=True,
        )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return checkpoint
