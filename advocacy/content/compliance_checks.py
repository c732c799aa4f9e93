"""The automatic compliance checks, as content needs them: two functions that the review app provides.

Content runs the checks (a submission and an approval re-check every publishable text, the draft editor and
its live counter show the findings), but the rules they apply (rule packs, category requirements) are
compliance configuration in ``compliance.review``, which depends on content. So content only declares what
it calls, and ``compliance.review.apps.ReviewConfig.ready`` hands in its implementation at start-up
(``compliance.review.checking``). There is one implementation and no setting: this is a seam to keep the
import graph one-way, not a plug-in point. A project without the review app refuses every check loudly
rather than letting content through unchecked.

The two shapes:

* ``run_checks(version)`` → ``{fingerprint: {"text", "variant", "slots", "findings"}}``, each finding a
  dict with a stable ``id`` and whether it ``blocks``: what a submission stores in ``ContentVersion.findings``
  and what an approval compares acknowledgements against.
* ``check_text(text, category=..., language=...)`` → the engine's ``compliance.checks.CheckReport`` for one
  text (the live counter, which has no version yet).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advocacy.content.models import ContentVersion
    from compliance.checks import CheckReport

VersionChecker = Callable[["ContentVersion"], dict[str, dict[str, Any]]]
TextChecker = Callable[..., "CheckReport"]

_provided: dict[str, Callable] = {}


class ChecksUnavailable(RuntimeError):
    """No app provided the checks (``compliance.review`` is not installed): nothing may be submitted."""


def provide(*, run_checks: VersionChecker, check_text: TextChecker) -> None:
    """Called once by the review app when Django starts; calling it again replaces both functions."""
    _provided.update(run_checks=run_checks, check_text=check_text)


def _get(name: str) -> Callable:
    try:
        return _provided[name]
    except KeyError:
        raise ChecksUnavailable(
            "No automatic checks were provided: install compliance.review (it provides them when it starts)."
        ) from None


def run_checks(version: ContentVersion) -> dict[str, dict[str, Any]]:
    """Check every publishable text of ``version`` with the current rules (see the module docstring)."""
    return _get("run_checks")(version)


def check_text(text: str, *, category: str | None, language: str) -> CheckReport:
    """Check one text as it would be published for content of this category and language."""
    return _get("check_text")(text, category=category, language=language)
