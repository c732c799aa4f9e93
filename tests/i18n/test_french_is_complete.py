"""French is complete: every string the code marks for translation has a French translation.

The catalogue is regenerated from the current source in a scratch copy of the repository (so the working
tree is left alone) and checked for untranslated or fuzzy entries. Needs GNU gettext (xgettext), which
`.ci/run` installs; locally the test is skipped without it unless RELAIS_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from i18n_check import problems  # noqa: E402


def test_the_committed_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert po.exists()
    assert problems(po) == []


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file():
    po = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 0
    import polib

    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo))}
    missing = [
        e.msgid
        for e in polib.pofile(str(po))
        if e.translated() and not e.msgid_plural and compiled.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert not missing, f"locale/fr/LC_MESSAGES/django.mo is stale (run make messages): {missing[:5]}"


def test_every_string_in_the_source_is_translated_to_french(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("RELAIS_REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext (xgettext) is required to check the French catalogue")
        pytest.skip("GNU gettext is not installed")
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    scratch = tmp_path / "src"
    for name in files.splitlines():
        if name.endswith((".py", ".html", ".txt", ".po", ".js")) and not name.startswith(
            ("bench/", "tests/")
        ):
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    env = {**os.environ, "DEBUG": "1", "RELAIS_VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = problems(scratch / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    assert not found, "Strings without a French translation (translate them in locale/fr):\n" + "\n".join(
        found
    )
