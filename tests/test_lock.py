"""requirements.lock is what pyproject.toml asks for, every entry pinned and hashed, and what is installed.

`make lock` writes the lock (uv pip compile); `make install` installs it with plain pip. These tests fail when
someone edits pyproject.toml without refreshing the lock, hand-edits the lock, or runs on a virtualenv that
was not installed from it. The checks are plain functions of the two files' text, so the tests below can
also show them failing on tampered copies.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version | None  # None when the entry is not an exact ``==`` pin
    marker: Marker | None
    hashes: tuple[str, ...]
    line: str

    def applies(self) -> bool:
        """Whether pip installs this entry here (its environment marker, if any, holds)."""
        return self.marker is None or self.marker.evaluate()


def parse_lock(text: str) -> tuple[dict[str, Pin], list[str]]:
    """The lock's entries by canonical name, and the problems found while reading it."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment line inside a continued entry
            continue
        current += " " + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    if current:
        logical.append(current.strip())

    pins: dict[str, Pin] = {}
    problems: list[str] = []
    for entry in logical:
        if entry.startswith("-"):
            problems.append(f"option line in the lock (pip would apply it to every entry): {entry}")
            continue
        requirement_text, *hash_parts = entry.split("--hash=")
        hashes = tuple(part.strip() for part in hash_parts)
        requirement = Requirement(requirement_text.strip())
        name = canonicalize_name(requirement.name)
        specifiers = list(requirement.specifier)
        version = (
            Version(specifiers[0].version)
            if len(specifiers) == 1 and specifiers[0].operator == "=="
            else None
        )
        if version is None:
            problems.append(f"{requirement.name}: not pinned with == ({requirement_text.strip()})")
        if not hashes:
            problems.append(f"{requirement.name}: no --hash")
        elif not all(h.startswith("sha256:") and len(h) == len("sha256:") + 64 for h in hashes):
            problems.append(f"{requirement.name}: a hash that is not a sha256 digest")
        if name in pins:
            problems.append(f"{requirement.name}: listed twice")
        pins[name] = Pin(name, version, requirement.marker, hashes, entry)
    return pins, problems


def declared_requirements(pyproject_text: str) -> list[tuple[str, Requirement]]:
    """What pyproject.toml asks for: dependencies, the dev extra (what make install installs), the backend."""
    data = tomllib.loads(pyproject_text)
    declared = [("dependencies", r) for r in data["project"]["dependencies"]]
    declared += [("dev extra", r) for r in data["project"]["optional-dependencies"]["dev"]]
    declared += [("build-system", r) for r in data["build-system"]["requires"]]
    return [(where, Requirement(text)) for where, text in declared]


def lock_problems(pyproject_text: str, lock_text: str) -> list[str]:
    """Every way the lock fails pyproject.toml: missing packages, versions out of range, unhashed entries."""
    pins, problems = parse_lock(lock_text)
    for where, requirement in declared_requirements(pyproject_text):
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} ({where}) is not in the lock")
        elif pin.version is not None and not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(
                f"{requirement} ({where}) is not satisfied by the lock's {pin.name}=={pin.version}"
            )
        elif not pin.applies():
            problems.append(f"{requirement} ({where}): the lock's entry does not apply here ({pin.marker})")
    return problems


def test_the_lock_satisfies_pyproject_and_every_entry_is_pinned_and_hashed():
    problems = lock_problems(PYPROJECT.read_text(), LOCK.read_text())
    assert not problems, "requirements.lock disagrees with pyproject.toml (run make lock):\n" + "\n".join(
        problems
    )


def test_the_lock_holds_every_dependency_of_what_it_installs():
    """The closure, read from the installed packages' metadata: extras such as allauth[mfa] included."""
    pins, _ = parse_lock(LOCK.read_text())
    missing = []
    todo = [
        r for _, r in declared_requirements(PYPROJECT.read_text()) if r.marker is None or r.marker.evaluate()
    ]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        if name not in pins:
            missing.append(str(requirement))
            continue
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # reported by test_the_virtualenv_is_installed_from_the_lock
        for text in requires:
            dependency = Requirement(text)
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in requirement.extras or {""}
            ):
                todo.append(dependency)
    assert not missing, "needed but not in requirements.lock (run make lock):\n" + "\n".join(sorted(missing))


def test_the_virtualenv_is_installed_from_the_lock():
    pins, _ = parse_lock(LOCK.read_text())
    differing = []
    for pin in pins.values():
        if not pin.applies():
            continue
        try:
            installed = Version(importlib.metadata.version(pin.name))
        except importlib.metadata.PackageNotFoundError:
            differing.append(f"{pin.name}: locked {pin.version}, not installed")
            continue
        if installed != pin.version:
            differing.append(f"{pin.name}: locked {pin.version}, installed {installed}")
    assert not differing, "the virtualenv is not the lock (run make install):\n" + "\n".join(differing)


# The checks can fail: each tampering of a copy of the real files is caught.


def _tampered(old: str, new: str, text: str) -> str:
    assert old in text, f"{old!r} is no longer in the file; update this test"
    return text.replace(old, new, 1)


def _django_pin(lock_text: str) -> str:
    return next(line.split(" ")[0] for line in lock_text.splitlines() if line.startswith("django=="))


@pytest.mark.parametrize(
    "edit_pyproject, edit_lock, expected",
    [
        # A new dependency declared without `make lock`.
        (
            lambda t: _tampered('"dj-database-url>=2.2",', '"dj-database-url>=2.2",\n    "left-pad>=1",', t),
            None,
            "left-pad>=1 (dependencies) is not in the lock",
        ),
        # A range tightened past the locked version.
        (lambda t: _tampered('"Django>=5.2,<5.3"', '"Django>=5.2,<5.2.1"', t), None, "is not satisfied by"),
        # A new dev tool.
        (lambda t: _tampered('"pytest>=8",', '"pytest>=8",\n    "hypothesis>=6",', t), None, "(dev extra)"),
        # A build backend the lock does not hold.
        (lambda t: _tampered('"setuptools>=77"', '"setuptools>=999"', t), None, "(build-system)"),
        # A lock entry whose hashes were dropped.
        (
            None,
            lambda t: re.sub(r"^(amqp==\S+) \\\n(?:\s+--hash=\S+(?: \\)?\n)+", r"\1\n", t, flags=re.M),
            "amqp: no --hash",
        ),
        # A lock entry loosened by hand.
        (None, lambda t: t.replace(_django_pin(t), "django>=5.2", 1), "not pinned with =="),
    ],
    ids=[
        "undeclared-dependency",
        "range-excludes-pin",
        "undeclared-dev-tool",
        "build-backend",
        "no-hash",
        "unpinned",
    ],
)
def test_lock_problems_catch_a_disagreement(edit_pyproject, edit_lock, expected):
    pyproject_text, lock_text = PYPROJECT.read_text(), LOCK.read_text()
    if edit_pyproject:
        pyproject_text = edit_pyproject(pyproject_text)
    if edit_lock:
        lock_text = edit_lock(lock_text)
    problems = lock_problems(pyproject_text, lock_text)
    assert any(expected in problem for problem in problems), problems
