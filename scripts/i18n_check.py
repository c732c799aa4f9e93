#!/usr/bin/env python
"""Fail if the French catalogues have untranslated or fuzzy entries.

Usage: python scripts/i18n_check.py [PO_FILE ...]

Without arguments it checks every locale/fr/LC_MESSAGES/*.po of the repository. It prints one line
per problem (file, line, kind, msgid) and exits 1 if there is any, 0 otherwise (2 if no catalogue
was found). Obsolete entries (#~) are ignored: gettext never uses them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOB = "locale/fr/LC_MESSAGES/*.po"


def problems(path: Path) -> list[str]:
    """One line per untranslated or fuzzy entry of the catalogue at ``path``."""
    found = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        if entry.fuzzy:
            kind = "fuzzy"
        elif not entry.translated():
            kind = "untranslated"
        else:
            continue
        msgid = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
        found.append(f"{path}:{entry.linenum}: {kind}: {msgid!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] if args else sorted(ROOT.glob(DEFAULT_GLOB))
    if not paths:
        print(f"No catalogue found ({ROOT / DEFAULT_GLOB}).", file=sys.stderr)
        return 2
    found = [line for path in paths for line in problems(path)]
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} entr{'y' if len(found) == 1 else 'ies'} to translate.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
