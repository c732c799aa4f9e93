"""Reading HR's staff roster: CSV bytes in, validated rows and located errors out.

Pure on purpose (no database, no settings): the management command, the Celery task and the tests all
call the same functions, and the checks that need the database (is this e-mail someone else's?) live
in ``advocacy.accounts.roster_import``, which passes in what it looked up once (the known branch codes).

Reading is two passes over the decoded text rather than a list of rows: the first counts rows and finds
employee ids and e-mails that appear twice (both rows must be reported, so the first occurrence cannot be
judged before the end of the file), the second yields one row at a time. A 5 MB file holds ~50,000 rows;
only the text, the set of employee ids and the duplicated keys stay in memory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from advocacy.accounts.roster_messages import Message, _, ngettext, stored
from advocacy.org.models import Role
from advocacy.org.timezones import canonical_time_zone

MAX_FILE_BYTES = 5 * 1024 * 1024

# Canonical column names, in the order HR's template lists them. An optional "time_zone" column may follow.
COLUMNS = ("employee_id", "email", "first_name", "last_name", "branch_code", "roles", "language")

# Header spellings we accept, after normalisation (lower case, no accents, runs of anything that is not
# a letter or digit turned into "_", "(s)" dropped).
_HEADER_ALIASES = {
    "employee_id": {"employee_id", "employeeid", "employee_number", "employee", "matricule", "id_employe",
                    "numero_employe", "staff_id"},
    "email": {"email", "e_mail", "mail", "courriel", "adresse_e_mail", "adresse_email", "email_address"},
    "first_name": {"first_name", "firstname", "given_name", "prenom"},
    "last_name": {"last_name", "lastname", "surname", "family_name", "nom", "nom_de_famille"},
    "branch_code": {"branch_code", "branch", "branchcode", "agence", "code_agence", "code_de_l_agence"},
    "roles": {"role", "roles", "role_s"},
    "language": {"language", "lang", "langue", "language_code"},
    "time_zone": {"time_zone", "timezone", "tz", "fuseau_horaire", "fuseau"},
}
_HEADER_TO_COLUMN = {alias: column for column, aliases in _HEADER_ALIASES.items() for alias in aliases}

# Role cells: codes and the French and English labels HR actually types, compared after normalisation
# (lower case, no accents, single spaces). Feminine French forms are listed too.
_ROLE_WORDS = {
    Role.ADVISER: ["adviser", "advisor", "conseiller", "conseillere", "conseiller clientele",
                   "conseillere clientele"],
    Role.BRANCH_MANAGER: ["branch_manager", "branch manager", "directeur d'agence", "directrice d'agence",
                          "directeur agence", "directrice agence", "responsable d'agence"],
    Role.REGIONAL_MANAGER: ["regional_manager", "regional manager", "directeur regional",
                            "directrice regionale", "responsable regional", "responsable regionale"],
    Role.COMPLIANCE: ["compliance", "compliance officer", "conformite", "responsable conformite",
                      "charge de conformite", "chargee de conformite", "deontologue"],
    Role.MARKETING: ["marketing", "communication", "marketing et communication"],
    Role.HR: ["hr", "human resources", "rh", "ressources humaines"],
    Role.ADMIN: ["admin", "administrator", "administrateur", "administratrice"],
}
_ROLE_LOOKUP = {word: role.value for role, words in _ROLE_WORDS.items() for word in words}
_ROLE_SEPARATORS = re.compile(r"[|,+]")

_LANGUAGES = {"fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en", "english": "en"}
_DEFAULT_LANGUAGE = "fr"

_MAX_LENGTHS = {"employee_id": 50, "email": 254, "first_name": 150, "last_name": 150}
_email_validator = EmailValidator()


class RosterFileError(Exception):
    """The file as a whole cannot be read (encoding, missing columns, no rows): nothing is imported."""

    def __init__(self, message: str | Message, *, column: str = ""):
        super().__init__(str(message))
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem, located: ``line`` is the file's line number (the header is line 1), or None when the
    problem concerns the whole file; ``column`` is the header as written in the file."""

    line: int | None
    column: str
    message: str | Message  # a Message is stored as its msgid and parameters (roster_messages)

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, **stored(self.message)}


@dataclass(frozen=True, slots=True)
class StaffRow:
    line: int
    employee_id: str
    email: str
    first_name: str
    last_name: str
    branch_code: str | None
    roles: frozenset[str]
    language: str
    time_zone: str | None = None  # None: no time_zone column, or an empty cell; the profile keeps its own


@dataclass
class Roster:
    """A decoded roster whose header has been checked. Iterate ``rows()`` for (row or None, errors)."""

    text: str
    delimiter: str
    headers: list[str]  # as written in the file
    positions: dict[str, int]  # canonical column -> index
    total_rows: int
    employee_ids: set[str]  # every id present, valid row or not: a bad row must not get someone deactivated
    rows_without_employee_id: int
    branch_codes: dict[str, str]  # upper-cased code -> code
    _duplicate_ids: dict[str, list[int]] = field(default_factory=dict)
    _duplicate_emails: dict[str, list[int]] = field(default_factory=dict)

    def header(self, column: str) -> str:
        return self.headers[self.positions[column]]

    def rows(self) -> Iterator[tuple[StaffRow | None, list[RowError]]]:
        records = _records(self.text, self.delimiter)
        next(records)  # the header
        for line, cells in records:
            yield self._check(line, cells)

    def _check(self, line: int, cells: list[str]) -> tuple[StaffRow | None, list[RowError]]:
        errors: list[RowError] = []

        def error(column: str, message: str) -> None:
            errors.append(RowError(line, self.header(column) if column else "", message))

        if len(cells) > len(self.headers) and any(c.strip() for c in cells[len(self.headers):]):
            error("", _("This row has %(cells)d cells but the header has %(columns)d columns.")
                  % {"cells": len(cells), "columns": len(self.headers)})
        value = {column: _cell(cells, index) for column, index in self.positions.items()}

        for column in ("employee_id", "email", "first_name", "last_name"):
            if not value[column]:
                error(column, _("This value is required."))
            elif len(value[column]) > _MAX_LENGTHS[column]:
                error(column, _("At most %(max)d characters (this value has %(length)d).")
                      % {"max": _MAX_LENGTHS[column], "length": len(value[column])})

        employee_id = value["employee_id"]
        if employee_id in self._duplicate_ids:
            error("employee_id", _("Employee id %(id)s appears on several lines: %(lines)s.")
                  % {"id": employee_id, "lines": _lines(self._duplicate_ids[employee_id])})

        email = value["email"].lower()
        if email:
            try:
                _email_validator(email)
            except ValidationError:
                error("email", _("“%(value)s” is not a valid e-mail address.") % {"value": value["email"]})
            else:
                if email in self._duplicate_emails:
                    error("email", _("E-mail %(email)s appears on several lines: %(lines)s.")
                          % {"email": email, "lines": _lines(self._duplicate_emails[email])})

        branch_code = None
        if value["branch_code"]:
            branch_code = self.branch_codes.get(value["branch_code"].upper())
            if branch_code is None:
                error("branch_code", _("Unknown branch code “%(code)s”.") % {"code": value["branch_code"]})

        roles, unknown = parse_roles(value["roles"])
        if unknown:
            error("roles", ngettext("Unknown role “%(roles)s”.", "Unknown roles “%(roles)s”.", len(unknown))
                  % {"roles": "”, “".join(unknown)}
                  + " " + _("Use one of: %(codes)s (or their French or English names).")
                  % {"codes": ", ".join(Role.values)})
        elif not roles:
            error("roles", _("At least one role is required."))

        language = _LANGUAGES.get(_fold(value["language"])) if value["language"] else _DEFAULT_LANGUAGE
        if language is None:
            error("language", _("Unknown language “%(value)s”: use fr or en.") % {"value": value["language"]})

        time_zone = None
        if value.get("time_zone"):
            time_zone = canonical_time_zone(value["time_zone"])
            if time_zone is None:
                error("time_zone", _("Unknown time zone “%(value)s”: use an IANA name such as Europe/Paris.")
                      % {"value": value["time_zone"]})

        if errors:
            return None, errors
        return (
            StaffRow(
                line=line,
                employee_id=employee_id,
                email=email,
                first_name=value["first_name"],
                last_name=value["last_name"],
                branch_code=branch_code,
                roles=frozenset(roles),
                language=language,
                time_zone=time_zone,
            ),
            [],
        )


def read_roster(data: bytes, *, branch_codes: Iterable[str]) -> Roster:
    """Decode, find the delimiter, check the header and pre-scan for duplicates.

    Raises ``RosterFileError`` when the file cannot be imported at all.
    """
    text = decode(data)
    delimiter = sniff_delimiter(text)
    records = _records(text, delimiter)
    first = next(records, None)
    if first is None:
        raise RosterFileError(_("The file is empty."))
    _line, headers = first
    headers = [h.strip() for h in headers]
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = _HEADER_TO_COLUMN.get(normalise_header(header))
        if column is None:
            continue  # extra columns (notes, phone...) are allowed and ignored
        if column in positions:
            raise RosterFileError(
                _("Columns “%(first)s” and “%(second)s” both mean %(column)s; keep only one.")
                % {"first": headers[positions[column]], "second": header, "column": column},
                column=header,
            )
        positions[column] = index
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        raise RosterFileError(
            ngettext("Missing column: %(columns)s.", "Missing columns: %(columns)s.", len(missing))
            % {"columns": ", ".join(missing)}
            + " "
            + _("Expected columns: %(columns)s (French names such as matricule, courriel, prénom, nom, "
                "agence, rôles, langue are accepted).") % {"columns": ", ".join(COLUMNS)},
            column=", ".join(missing),
        )

    id_lines: dict[str, list[int]] = {}
    email_lines: dict[str, list[int]] = {}
    total = without_id = 0
    for line, cells in records:
        total += 1
        employee_id = _cell(cells, positions["employee_id"])
        email = _cell(cells, positions["email"]).lower()
        if employee_id:
            id_lines.setdefault(employee_id, []).append(line)
        else:
            without_id += 1
        if email:
            email_lines.setdefault(email, []).append(line)
    if total == 0:
        raise RosterFileError(_("The file has a header but no rows."))
    return Roster(
        text=text,
        delimiter=delimiter,
        headers=headers,
        positions=positions,
        total_rows=total,
        employee_ids=set(id_lines),
        rows_without_employee_id=without_id,
        branch_codes={code.upper(): code for code in branch_codes},
        _duplicate_ids={k: v for k, v in id_lines.items() if len(v) > 1},
        _duplicate_emails={k: v for k, v in email_lines.items() if len(v) > 1},
    )


def decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252, else a clear refusal."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise RosterFileError(
                _("The file is neither UTF-8 nor Windows-1252 text (unreadable byte 0x%(byte)02X at position "
                  "%(position)d). Save it from your spreadsheet as “CSV UTF-8” and upload it again.")
                % {"byte": data[exc.start], "position": exc.start}
            ) from None
    if "\x00" in text:
        raise RosterFileError(
            _("This is not a text file (a spreadsheet workbook?). "
              "Save it as “CSV UTF-8” and upload it again.")
        )
    return text


def sniff_delimiter(text: str) -> str:
    """Semicolon (French Excel) or comma, judged on the header line, where neither appears inside a cell."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    semicolons, commas = header.count(";"), header.count(",")
    if semicolons != commas:
        return ";" if semicolons > commas else ","
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=";,").delimiter
    except csv.Error:
        return ","


def parse_roles(cell: str) -> tuple[list[str], list[str]]:
    """Role codes found in a cell, and the words that are not roles. Separators: | , +"""
    roles: list[str] = []
    unknown: list[str] = []
    for word in _ROLE_SEPARATORS.split(cell):
        word = word.strip()
        if not word:
            continue
        role = _ROLE_LOOKUP.get(_fold(word)) or _ROLE_LOOKUP.get(_fold(word).replace("_", " "))
        if role is None:
            unknown.append(word)
        elif role not in roles:
            roles.append(role)
    return roles, unknown


def normalise_header(header: str) -> str:
    folded = _fold(header).replace("(s)", "s")
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def _fold(value: str) -> str:
    """Lower case, accents removed, typographic apostrophes straightened, spaces collapsed."""
    value = unicodedata.normalize("NFKD", value.replace("\u2019", "'"))
    value = "".join(c for c in value if not unicodedata.combining(c))
    return " ".join(value.lower().split())


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each non-blank record; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    previous_end = 0
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if any(c.strip() for c in cells):
            yield start, cells


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _lines(lines: list[int]) -> str:
    return ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
