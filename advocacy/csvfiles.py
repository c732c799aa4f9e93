"""Reading the CSV files people export from spreadsheets and business tools: shared by every import.

French Excel writes ``;`` and Windows-1252, "CSV UTF-8" writes a BOM, other tools write ``,`` and plain
UTF-8; dates come as dd/mm/yyyy or ISO. The rules are the ones the roster (``accounts.roster``) and the
CRM import (``clients.crm_file``) each grew on their own; new imports (``recruitment.csv_import``) use these,
and the older two can move to them.
"""

from __future__ import annotations

import csv
import datetime as dt


def decode(data: bytes) -> str:
    """UTF-8 (a BOM dropped), else Windows-1252; ValueError if neither reads it or it is not text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError("encoding") from None
    if "\x00" in text:
        raise ValueError("binary")
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


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_date(value: str) -> dt.date:
    """dd/mm/yyyy or yyyy-mm-dd; ValueError otherwise."""
    value = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_date_or_datetime(value: str) -> dt.date | dt.datetime:
    """A date, or a naive date and time (dd/mm/yyyy HH:MM[:SS], ISO); ValueError otherwise."""
    value = value.strip()
    for fmt in DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return parse_date(value)
