"""Roster messages kept as their English source and parameters, translated when shown.

An import runs in the language of whoever uploaded the file, but HR reads its errors later, perhaps in
the other language: so an error is stored as its msgid (and plural form) with its parameters, and put
into words by whoever displays it (``shown``). Records stored before this kept only ``message``, already
in words: they are shown as they are.

``_`` and ``ngettext`` here carry the names makemessages looks for, so the strings still reach the
catalogue; they return a ``Message`` instead of a translated string.
"""

from __future__ import annotations

from django.utils import translation


def _plain(value):
    """A parameter as JSON can keep it: numbers and text as they are, anything else as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # a lazy label or an exception: its words now


class Message:
    __slots__ = ("msgid", "n", "params", "plural")

    def __init__(self, msgid: str, plural: str = "", n: int | None = None, params: dict | None = None):
        self.msgid, self.plural, self.n, self.params = msgid, plural, n, params

    def __mod__(self, params: dict) -> Message:
        return Message(self.msgid, self.plural, self.n, {key: _plain(v) for key, v in params.items()})

    def __str__(self) -> str:
        if self.plural:
            text = translation.ngettext(self.msgid, self.plural, self.n or 0)
        else:
            text = translation.gettext(self.msgid)
        return text % self.params if self.params is not None else text

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, params={self.params!r})"

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __add__(self, other) -> Joined:
        return Joined([self, other])

    def __radd__(self, other) -> Joined:
        return Joined([other, self])

    def as_dict(self) -> dict:
        stored: dict = {"msgid": self.msgid}
        if self.plural:
            stored |= {"plural": self.plural, "n": self.n}
        if self.params is not None:
            stored["params"] = self.params
        return stored


class Joined(Message):
    """Sentences put side by side (``message + " " + message``), each translated on its own."""

    __slots__ = ("parts",)

    def __init__(self, parts: list):
        super().__init__("")
        self.parts = parts

    def __mod__(self, params: dict) -> Joined:
        raise TypeError("format each sentence before joining them")

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)

    def __add__(self, other) -> Joined:
        return Joined([*self.parts, other])

    def __radd__(self, other) -> Joined:
        return Joined([other, *self.parts])

    def __hash__(self) -> int:
        return hash(str(self))

    def as_dict(self) -> dict:
        return {"parts": [p.as_dict() if isinstance(p, Message) else {"text": str(p)} for p in self.parts]}


def _from_dict(stored: dict) -> Message | str:
    if "parts" in stored:
        return Joined([_from_dict(part) for part in stored["parts"]])
    if "msgid" not in stored:
        return stored.get("text", "")
    return Message(stored["msgid"], stored.get("plural", ""), stored.get("n"), stored.get("params"))


def _(msgid: str) -> Message:  # the name makemessages extracts
    return Message(msgid)


def ngettext(singular: str, plural: str, n: int) -> Message:
    return Message(singular, plural, n)


def stored(message) -> dict:
    """What an error row keeps of its message: the words in English (for any reader that only knows
    ``message``) and, for a ``Message``, its msgid and parameters."""
    if isinstance(message, Message):
        with translation.override("en"):
            return {"message": str(message), **message.as_dict()}
    return {"message": str(message)}


def shown(error: dict) -> str:
    """A stored error's message in the reader's language (an old record's words as they were)."""
    if "msgid" not in error and "parts" not in error:
        return error.get("message", "")
    message = _from_dict(error)
    try:
        return str(message)
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the English words
        return error.get("message", "")
