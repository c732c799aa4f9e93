"""Reading a CRM export of clients: pure (no database), so every rule about the file is tested on bytes.

The bank's CRM exports CSV in whatever its locale says: ``;`` or ``,``, UTF-8 with or without a BOM, or
Windows-1252; dates as dd/mm/yyyy or ISO; consent as oui/non, yes/no, 1/0, vrai/faux. Errors are kept as a
code and parameters (``RowError``) and put into words at display in the reader's language
(``message_for``), never in the importer's: an upload's stored errors keep the English msgid and the
parameters (``RowError.as_dict``), so a message reworded later still shows, in English at worst.

An empty consent cell says nothing: a new client has no consent, an existing one keeps theirs (a CRM
export that lacks the column must not withdraw consents recorded by hand); ``non``/``no``/``0``/``faux``
withdraws.

Columns: client_ref, first_name, last_name, the adviser column (adviser_email or adviser_employee_id),
x_handle, consent, consent_date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from advocacy.clients.services import normalise_handle

ADVISER_COLUMNS = ("adviser_email", "adviser_employee_id")
REQUIRED = ("client_ref",)
YES = {"oui", "yes", "1", "vrai", "true", "o", "y"}
NO = {"non", "no", "0", "faux", "false", "n"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # an upload's limit: about 200,000 rows of a typical export

MESSAGES = {
    "encoding": gettext_noop("The file is neither UTF-8 nor Windows-1252 text."),
    "missing_column": gettext_noop("The column %(column)s is missing."),
    "required": gettext_noop("%(column)s is empty."),
    "too_long": gettext_noop("%(column)s is longer than %(max)s characters."),
    "bad_handle": gettext_noop("“%(value)s” is not an X handle."),
    "bad_consent": gettext_noop("“%(value)s” is not a consent answer (yes/no, oui/non, 1/0, vrai/faux)."),
    "bad_date": gettext_noop("“%(value)s” is not a date (dd/mm/yyyy or yyyy-mm-dd)."),
    "handle_without_consent": gettext_noop(
        "An X handle is given without the client's consent: it is not stored."
    ),
    "duplicate_ref": gettext_noop("The client reference %(value)s is already on line %(first_line)s."),
    "unknown_adviser": gettext_noop("No adviser %(value)s."),
    "adviser_out_of_scope": gettext_noop("The adviser %(value)s is outside your branches."),
    "ref_of_other_adviser": gettext_noop("The client %(value)s belongs to an adviser outside your branches."),
    "ambiguous_adviser": gettext_noop("Several members of staff have the address %(value)s."),
    "stopped": gettext_noop(
        "The import stopped unexpectedly after %(rows)s rows; those rows were saved. Upload the file again: "
        "importing the same file twice is safe."
    ),
    "row_failed": gettext_noop(
        "The client %(value)s was changed by someone else during the import: import the file again."
    ),
}


def adviser_key(value: str, adviser_column: str) -> str:
    """How an adviser cell is compared: e-mail addresses without regard to case or surrounding spaces
    (CRMs keep what was typed, ``Jean.Dupont@Bank.fr``), employee ids exactly."""
    value = value.strip()
    return value.lower() if adviser_column == "adviser_email" else value


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    code: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "msgid": MESSAGES[self.code],
            "params": self.params,
        }


def message_for(code: str, params: dict) -> str:
    """The error in the current language (called at display)."""
    return shown({"msgid": MESSAGES[code], "params": params})


def shown(stored: dict) -> str:
    """A stored error (``msgid`` and ``params``) in the reader's language; the English words if a
    translation lost a placeholder."""
    msgid, params = stored.get("msgid", ""), stored.get("params") or {}
    try:
        return gettext(msgid) % params
    except (KeyError, TypeError, ValueError):
        return msgid % params


@dataclass
class ClientRow:
    line: int
    client_ref: str
    first_name: str
    last_name: str
    adviser: str
    x_handle: str
    consent: bool | None  # None: the cell is empty (unchanged for an existing client)
    consent_date: dt.date | None


def decode(data: bytes) -> str:
    """UTF-8 (a BOM dropped), else Windows-1252; ValueError if neither reads it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError("encoding") from None


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def file_problem(data: bytes, *, adviser_column: str = "adviser_email") -> str:
    """Why the file cannot be imported at all, in words ('' when its rows can be read one by one)."""
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        return gettext("The file is empty.")
    try:
        text = decode(data)
    except ValueError:
        return message_for("encoding", {})
    lines = text.lstrip("\r\n").splitlines()
    delimiter = sniff_delimiter(lines[0])
    columns = [c.strip().lower() for c in next(csv.reader([lines[0]], delimiter=delimiter))]
    missing = [c for c in (*REQUIRED, adviser_column) if c not in columns]
    if missing:
        return gettext("The first line must name the columns; %(missing)s is missing (found: %(found)s).") % {
            "missing": ", ".join(missing),
            "found": ", ".join(c for c in columns if c)[:200] or "—",
        }
    if not any(line.strip(delimiter + " \t") for line in lines[1:]):
        return gettext("The file has a header line but no client.")
    return ""


def parse_date(value: str) -> dt.date:
    value = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse(
    data: bytes, *, adviser_column: str = "adviser_email", delimiter: str | None = None
) -> tuple[list[ClientRow], list[RowError]]:
    """Valid rows and errors (line numbers count the header as line 1). A row with any error is dropped."""
    try:
        text = decode(data)
    except ValueError:
        return [], [RowError(0, "", "encoding")]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    missing = [c for c in (*REQUIRED, adviser_column) if c not in columns]
    if missing:
        return [], [RowError(1, c, "missing_column", {"column": c}) for c in missing]
    rows: list[ClientRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(cells.values()):
            continue
        row_errors: list[RowError] = []
        ref = cells.get("client_ref", "")
        adviser = cells.get(adviser_column, "")
        for column, value in (("client_ref", ref), (adviser_column, adviser)):
            if not value:
                row_errors.append(RowError(line, column, "required", {"column": column}))
        for column, limit in (("client_ref", 64), ("first_name", 150), ("last_name", 150)):
            if len(cells.get(column, "")) > limit:
                row_errors.append(RowError(line, column, "too_long", {"column": column, "max": limit}))
        consent_raw = cells.get("consent", "")
        consent = None
        if consent_raw.lower() in YES:
            consent = True
        elif consent_raw.lower() in NO:
            consent = False
        elif consent_raw:
            row_errors.append(RowError(line, "consent", "bad_consent", {"value": consent_raw}))
        handle = ""
        if cells.get("x_handle"):
            try:
                handle = normalise_handle(cells["x_handle"])
            except ValueError:
                row_errors.append(RowError(line, "x_handle", "bad_handle", {"value": cells["x_handle"]}))
            else:
                if not consent:
                    row_errors.append(RowError(line, "x_handle", "handle_without_consent"))
        consent_date = None
        if cells.get("consent_date"):
            try:
                consent_date = parse_date(cells["consent_date"])
            except ValueError:
                row_errors.append(
                    RowError(line, "consent_date", "bad_date", {"value": cells["consent_date"]})
                )
        if ref:
            if ref in seen:
                row_errors.append(
                    RowError(line, "client_ref", "duplicate_ref", {"value": ref, "first_line": seen[ref]})
                )
            else:
                seen[ref] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            ClientRow(
                line=line,
                client_ref=ref,
                first_name=cells.get("first_name", ""),
                last_name=cells.get("last_name", ""),
                adviser=adviser,
                x_handle=handle,
                consent=consent,
                consent_date=consent_date,
            )
        )
    return rows, errors
