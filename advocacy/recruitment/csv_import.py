"""The CSV import of applications, from any ATS: ``manage.py import_applications`` and HR's upload page.

Columns (header line, any order, case ignored): ``application_id``, ``job_reference``, ``applied_at``,
``source_reference``, ``stage``, ``hired_at``; ``;`` or ``,``, UTF-8 with or without a BOM or
Windows-1252, dates as dd/mm/yyyy (a time may follow) or ISO, in the bank's time zone. Stages are the ATS's
words, read by ``formats.normalise_stage`` (English or French: "Entretien", "Hired", "Refusé"...).

Each row is checked on its own and named when refused (unknown stage, a date in the future, an unknown job
reference, a missing id, an id twice in the file); the good rows are then applied together by
``intake.apply_events`` (one transaction: all of them or, on a failure, none), so re-importing the same
file is safe and a re-import with new stages moves them. The file's other columns (a candidate's name, if
an export carries one) are never read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from advocacy import csvfiles
from advocacy.recruitment import intake
from advocacy.recruitment.formats import ApplicationEvent, normalise_stage
from advocacy.recruitment.models import ATSProfile, Stage

COLUMNS = ("application_id", "job_reference", "applied_at", "source_reference", "stage", "hired_at")
REQUIRED = ("application_id", "job_reference", "applied_at", "stage")
MAX_FILE_BYTES = 20 * 1024 * 1024

MESSAGES = {
    "empty": gettext_noop("The file is empty."),
    "encoding": gettext_noop("The file is neither UTF-8 nor Windows-1252 text."),
    "missing_column": gettext_noop("The column %(column)s is missing."),
    "required": gettext_noop("%(column)s is empty."),
    "too_long": gettext_noop("%(column)s is longer than 64 characters."),
    "unknown_stage": gettext_noop("“%(value)s” is not a stage Relais knows (applied, interview, hired…)."),
    "bad_date": gettext_noop("“%(value)s” is not a date (dd/mm/yyyy or yyyy-mm-dd)."),
    "future_date": gettext_noop("%(column)s %(value)s is in the future."),
    "hired_without_date": gettext_noop("A hired application needs its hired_at date."),
    "unknown_job": gettext_noop("No job offer has the reference %(value)s."),
    "duplicate": gettext_noop("The application %(value)s is already on line %(first_line)s."),
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    code: str
    params: dict = field(default_factory=dict)

    def message(self) -> str:
        return gettext(MESSAGES[self.code]) % self.params

    def __str__(self) -> str:
        return gettext("line %(line)s: %(message)s") % {"line": self.line, "message": self.message()}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return timezone.make_aware(value)  # the bank's time zone (TIME_ZONE)


def read(data: bytes) -> tuple[list[tuple[int, ApplicationEvent]], list[RowError]]:
    """The file's good rows as (line, event) and its errors; pure (no database)."""
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        return [], [RowError(0, "", "empty")]
    try:
        text = csvfiles.decode(data)
    except ValueError:
        return [], [RowError(0, "", "encoding")]
    reader = csv.DictReader(
        io.StringIO(text.lstrip("\r\n"), newline=""), delimiter=csvfiles.sniff_delimiter(text)
    )
    reader.fieldnames = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    if missing:
        return [], [RowError(1, c, "missing_column", {"column": c}) for c in missing]
    now = timezone.now()
    rows, errors, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        cells = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        if not any(cells.values()):
            continue
        row_errors = []
        for column in REQUIRED:
            if not cells[column]:
                row_errors.append(RowError(line, column, "required", {"column": column}))
        for column in ("application_id", "job_reference", "source_reference"):
            if len(cells[column]) > 64:
                row_errors.append(RowError(line, column, "too_long", {"column": column}))
        stage = normalise_stage(cells["stage"]) if cells["stage"] else None
        if cells["stage"] and stage is None:
            row_errors.append(RowError(line, "stage", "unknown_stage", {"value": cells["stage"]}))
        dates = {}
        for column in ("applied_at", "hired_at"):
            if not cells[column]:
                continue
            try:
                dates[column] = _aware(csvfiles.parse_date_or_datetime(cells[column]))
            except ValueError:
                row_errors.append(RowError(line, column, "bad_date", {"value": cells[column]}))
                continue
            if dates[column] > now:
                row_errors.append(
                    RowError(line, column, "future_date", {"column": column, "value": cells[column]})
                )
        if stage == Stage.HIRED and not cells["hired_at"]:
            row_errors.append(RowError(line, "hired_at", "hired_without_date"))
        key = cells["application_id"]
        if key and key in seen:
            row_errors.append(
                RowError(line, "application_id", "duplicate", {"value": key, "first_line": seen[key]})
            )
        elif key:
            seen[key] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            (
                line,
                ApplicationEvent(
                    external_id=key,
                    stage=stage,
                    job_reference=cells["job_reference"],
                    source_reference=cells["source_reference"],
                    applied_at=dates["applied_at"].isoformat(),
                    hired_at=dates["hired_at"].isoformat() if "hired_at" in dates else "",
                ),
            )
        )
    return rows, errors


def import_applications(*, profile: ATSProfile, data: bytes) -> ImportResult:
    """Apply a file's good rows (one transaction), name the others. Safe to run twice on the same file."""
    rows, errors = read(data)
    result = ImportResult(rows=len(rows) + len({e.line for e in errors if e.line > 1}), errors=errors)
    known = intake.job_items(event.job_reference for _, event in rows)
    good = []
    for line, event in rows:
        if event.job_reference not in known:
            result.errors.append(
                RowError(line, "job_reference", "unknown_job", {"value": event.job_reference})
            )
        else:
            good.append(event)
    result.errors.sort(key=lambda e: (e.line, e.column))
    outcome = intake.apply_events(profile=profile, events=good, via="csv")
    result.created, result.moved, result.unchanged = outcome.created, outcome.moved, outcome.unchanged
    return result
