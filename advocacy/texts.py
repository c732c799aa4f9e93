"""The exact text of a post: composition, template slots, fingerprint, weighted length.

Pure functions, no database. The form of a publishable text is described in ``advocacy.content.models``:
wording (slots filled), a blank line, disclosure and label on one line, then the destination link on the
last line. The link is the version's destination URL; ``with_tracked_link`` swaps it for a share's tracked
URL at publish time (both count 23 weighted characters on X, so the length never changes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from compliance.checks import weighted_length as _engine_weighted_length

SLOTS = ("first_name", "branch_city")
SLOT_RE = re.compile(r"\{([^{}\s]*)\}")
# Tag-like text: "<b>", "</a>", "<script ...>", "<!--". A lone "<" (as in "< 5 %") is fine on X.
TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>?")


class PublishableText(str):
    """A text an adviser could publish, with where it came from.

    It *is* the text (a ``str``), so code that only needs the words (the checks, ``fingerprint``) can use
    it as one; ``fingerprint``, ``variant_id`` (None for the base wording) and ``slots`` (the values put
    in a template's slots, empty otherwise) say which approval row it becomes.
    """

    fingerprint: str
    variant_id: int | None
    slots: dict[str, str]

    def __new__(cls, text: str, *, variant_id: int | None = None, slots: dict[str, str] | None = None):
        obj = super().__new__(cls, unicodedata.normalize("NFC", text))
        obj.fingerprint = fingerprint(obj)
        obj.variant_id = variant_id
        obj.slots = dict(slots or {})
        return obj

    @property
    def text(self) -> str:
        return str(self)


def normalise(text: str) -> str:
    """NFC, Windows line endings folded, outer blank space trimmed."""
    return unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def fingerprint(text: str) -> str:
    """SHA-256 hex of the NFC text: what an approval binds to (the checks key reports by it)."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def compose(wording: str, *, disclosure: str = "", label: str = "", link_url: str = "") -> str:
    text = normalise(wording)
    tail = " ".join(part for part in (normalise(disclosure), normalise(label)) if part)
    if tail:
        text += "\n\n" + tail
    if link_url:
        text += "\n" + link_url.strip()
    return unicodedata.normalize("NFC", text)


def with_tracked_link(text: str, *, link_url: str, tracked_url: str) -> str:
    """The text to send: the destination link on the last line replaced by the share's tracked link.

    Refuses (ValueError) a text that does not end with the destination link, rather than guessing.
    """
    suffix = "\n" + link_url.strip()
    if not link_url or not text.endswith(suffix):
        raise ValueError("The approved text does not end with its destination link.")
    return text[: -len(suffix)] + "\n" + tracked_url


@dataclass(frozen=True)
class Post:
    """A text exactly as X would receive it, and how X counts it."""

    text: str
    length: int
    limit: int

    @property
    def over(self) -> bool:
        return self.length > self.limit


def to_post(text: str, *, limit: int, link_url: str = "", tracked_url: str = "") -> Post:
    """What X would receive for ``text``, a composed text (``compose``; an approved text is one): its
    destination link swapped for ``tracked_url`` when one is given, weighed as X weighs it.

    The one place "what would be posted" is measured: the editor's live counter, the library and draft
    previews and the share page all go through here, so they cannot disagree on the count."""
    if tracked_url and link_url:
        text = with_tracked_link(text, link_url=link_url, tracked_url=tracked_url)
    return Post(text=text, length=weighted_length(text), limit=limit)


def slots_in(text: str) -> list[str]:
    return SLOT_RE.findall(text or "")


def unknown_slots(text: str) -> list[str]:
    return [name for name in slots_in(text) if name not in SLOTS]


def is_template(text: str) -> bool:
    return any(name in SLOTS for name in slots_in(text))


def fill(text: str, values: dict[str, str]) -> str:
    for name in SLOTS:
        if name in values:
            text = text.replace("{" + name + "}", values[name])
    return text


def weighted_length(text: str) -> int:
    """X's weighted length (NFC, URLs count 23, wide characters 2), counted by the checks engine so that the
    counter and the length check never disagree."""
    return _engine_weighted_length(text)


def contains_tags(text: str) -> bool:
    return bool(TAG_RE.search(text or ""))
