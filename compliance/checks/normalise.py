# ruff: noqa: RUF001, RUF002 - typographic look-alikes are this module's subject matter
"""Text folding for matching, with a map back to the original offsets.

Why this exists: a lexicon that matches exact strings is beaten by "GARANTIE", "Garântie", "sans-risque",
"G.A.R.A.N.T.I" or an invisible character inside a word, and one that matches substrings raises floods of
false alerts ("garanti" inside an unrelated word). So text and lexicon phrases go through the SAME pipeline
and are compared as sequences of whole tokens:

1. Fold every character: NFKD, drop combining marks (accents) and invisible format characters (zero-width
   space, soft hyphen, ...), casefold, a few ligatures (œ -> oe). Anything that is not a letter or digit
   becomes a separator. Separators never join words, so "brisk-freeze" can never match "risk free".
2. Tokens are the runs of letters and digits. Runs of three or more single letters separated by the same
   short separator on one line ("G.A.R.A.N.T.I", "R I S K") are merged into one token, because that is how
   people spell a word out to dodge a filter. Two letters ("à l’offre") or digits ("à 5 ans") never merge.
3. A light stemmer, identical for text and phrases, removes plural and feminine endings (French e/s/es/x,
   English s/es), so "garanti" matches "garanties" and "assuré" matches "assurées".

Speed matters (every draft, every keystroke of the "try a text" page, every publication), so the hot path
avoids per-character Python: the text is encoded to UTF-8 and ``bytes.translate`` folds ASCII (case,
punctuation to spaces) in C; ``bytes.split`` cuts "raw tokens". Only raw tokens holding non-ASCII bytes
("épargne", "d’offre", "€") go through the per-character folding, and each distinct raw token only once
(callers cache by raw token). ``raw_tokens`` is shared by the hot path and ``normalise`` (tokens with their
original spans), so both see the same token sequence by construction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "Normalised",
    "fast_key",
    "fold",
    "fold_char",
    "fold_raw",
    "has_spelled_out",
    "normalise",
    "normalise_variants",
    "phrase_tokens",
    "raw_tokens",
    "stem",
    "token_spans",
    "tokens",
]

# Letters that casefold and NFKD leave alone but that people type interchangeably with plain Latin letters.
_LIGATURES = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "ð": "d", "þ": "th"}
)
# Characters that vanish (not separators): combining marks (accents, once NFKD has split them off) and
# invisible format characters (zero-width space and joiners, soft hyphen, bidi controls, variation selectors,
# tags). A zero-width space inside a word is an evasion, not a word break.
_VANISH = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\ufe00-\ufe0f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)


def fold_char(char: str) -> str:
    """The folded form of one character: "" (vanishes), " " (a separator) or letters/digits."""
    folded = _VANISH.sub("", unicodedata.normalize("NFKD", char).casefold()).translate(_LIGATURES)
    return "".join(c if c.isalnum() else " " for c in folded)


class _FoldTable(dict):
    """``str.translate`` table filled lazily: every character is folded once per process."""

    def __missing__(self, key: int) -> str:
        value = fold_char(chr(key))
        self[key] = value
        return value


_FOLD = _FoldTable()
# ASCII folding for bytes.translate: letters to lower case, digits kept, everything else a space; bytes of
# multi-byte UTF-8 sequences (>= 0x80) are kept for ``fold_raw``.
_ASCII = bytes(
    b + 32 if 65 <= b <= 90 else b if 97 <= b <= 122 or 48 <= b <= 57 or b >= 128 else 32 for b in range(256)
)


def stem(token: str) -> str:
    """Strip one plural ending (s, x; not after another s: "loss"), then up to two final e's, keeping at
    least three characters ("assurées" -> "assur", "guarantees" -> "guarant", "free" -> "fre")."""
    if len(token) >= 3 and token[-1] in "sx" and token[-2] != "s":
        token = token[:-1]
    if len(token) >= 4 and token[-1] == "e":
        token = token[:-1]
        if len(token) >= 4 and token[-1] == "e":
            token = token[:-1]
    return token


def utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text``; lone surrogates (possible in a str, never in valid UTF-8) are kept as their
    3-byte form so that offsets still work. The strict codec is tried first because it is faster."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def raw_tokens(text: str) -> list[bytes]:
    """Runs of non-separator bytes after ASCII folding: one raw token may hold several tokens once its
    non-ASCII characters are folded ("d’offre" -> "d", "offre"), never part of one."""
    return utf8(text).translate(_ASCII).split()


def fold_raw(raw: bytes) -> list[str]:
    """The folded tokens of one raw token."""
    if raw.isascii():
        return [raw.decode("ascii")]
    return raw.decode("utf-8", "surrogatepass").translate(_FOLD).split()


def fold(text: str) -> str:
    """Folded text: same words, lower case, no accents, separators as spaces (offsets may shift)."""
    return text.translate(_FOLD)


def tokens(text: str) -> list[str]:
    """Folded tokens of ``text``, before single-letter merging and stemming."""
    return [token for raw in raw_tokens(text) for token in fold_raw(raw)]


def fast_key(text: str) -> str | None:
    """The stemmed token stream as " tok1 tok2 ... " (single spaces, surrounding spaces), or None when the
    text has adjacent single-character tokens and needs ``normalise`` (which may merge them). Used by the
    benchmark's regex baseline and for debugging; the lexicon works on token codes."""
    folded = tokens(text)
    if has_spelled_out(folded):
        return None
    return " " + " ".join(stem(t) for t in folded) + " "


def _single_letter(token: str) -> bool:
    return len(token) == 1 and token.isalpha()


def has_spelled_out(folded: list[str] | tuple[str, ...]) -> bool:
    """Three single-letter tokens in a row: the only case where ``normalise`` may merge tokens."""
    run = 0
    for token in folded:
        run = run + 1 if _single_letter(token) else 0
        if run == 3:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Normalised:
    """Tokens of a text: ``folded`` (before stemming), ``tokens`` (stemmed), ``spans`` into the original."""

    folded: tuple[str, ...]
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    @property
    def key(self) -> str:
        return " " + " ".join(self.tokens) + " " if self.tokens else " "


def _fold_with_offsets(piece: str) -> list[tuple[str, int, int]]:
    """Folded tokens of a short string with their offsets in it (a vanished mark belongs to the token it
    follows, so highlighting "e\u0301" covers the accent)."""
    found: list[tuple[str, int, int]] = []
    chars: list[str] = []
    start = end = 0
    for index, char in enumerate(piece):
        folded = _FOLD[ord(char)]
        if not folded and chars:
            end = index + 1
        for out in folded:
            if out == " ":
                if chars:
                    found.append(("".join(chars), start, end))
                    chars = []
                continue
            if not chars:
                start = index
            chars.append(out)
            end = index + 1
    if chars:
        found.append(("".join(chars), start, end))
    return found


def _case(text: str) -> str:
    char = text[:1]
    return "U" if char.isupper() else "L" if char.islower() else "N"


def _merge_singles(
    text: str, raw: list[tuple[str, int, int]], trim: str | None = None
) -> list[tuple[str, int, int]]:
    """Merge spelled-out words ("G.A.R.A.N.T.I") into one token.

    A chain is a run of three or more single letters joined by the same separator (at most 3 characters, no
    line break) and not mixing upper and lower case, so "à G A R A N T I" keeps "à" apart. Where two chains
    share a letter ("a G.A.R"), the longer chain keeps it. ``trim`` ("start" or "end") leaves the first or
    last letter of chains of 4+ out of the word: "A R I S K free" is "a risk free", not "arisk free", and
    nothing in the text says which reading is meant, so the lexicon tries all three.
    """
    chains: list[list[int]] = []
    previous_sep: str | None = None
    for i in range(len(raw) - 1):
        (t1, _s1, e1), (t2, s2, _e2) = raw[i], raw[i + 1]
        sep = text[e1:s2]
        joinable = _single_letter(t1) and _single_letter(t2) and len(sep) <= 3 and "\n" not in sep
        if joinable:
            c1, c2 = _case(text[raw[i][1] : e1]), _case(text[s2 : raw[i + 1][2]])
            joinable = c1 == c2 or "N" in (c1, c2)
        if not joinable:
            previous_sep = None
            continue
        if previous_sep == sep and chains and chains[-1][1] == i:
            chains[-1][1] = i + 1
        else:
            chains.append([i, i + 1])
        previous_sep = sep
    if not chains:
        return raw
    for k in range(len(chains) - 1):
        left, right = chains[k], chains[k + 1]
        if left[1] == right[0]:
            if left[1] - left[0] > right[1] - right[0]:
                right[0] += 1
            else:
                left[1] -= 1
    if trim is not None:
        for chain in chains:
            if chain[1] - chain[0] >= 3:  # four letters or more: three remain
                chain[0 if trim == "start" else 1] += 1 if trim == "start" else -1
    merged: list[tuple[str, int, int]] = []
    position = 0
    for first, last in chains:
        if last - first < 2:  # fewer than three letters: not a spelled-out word
            continue
        merged.extend(raw[position:first])
        merged.append(("".join(t for t, _, _ in raw[first : last + 1]), raw[first][1], raw[last][2]))
        position = last + 1
    merged.extend(raw[position:])
    return merged


def token_spans(text: str, upto: int | None = None) -> list[tuple[str, int, int]]:
    """Folded tokens of ``text`` (no merging, no stemming) with their spans, stopping after token ``upto``
    when given: a scan with a hit needs the spans of the first few tokens, not of the whole post."""
    data = utf8(text)
    folded_bytes = data.translate(_ASCII)
    found: list[tuple[str, int, int]] = []
    byte_pos = char_pos = 0
    limit = len(data) if upto is None else upto
    for token in folded_bytes.split():
        at = folded_bytes.find(token, byte_pos)
        char_pos += at - byte_pos  # separators are ASCII: one byte per character
        if token.isascii():
            found.append((token.decode("ascii"), char_pos, char_pos + len(token)))
            char_pos += len(token)
        else:
            piece = data[at : at + len(token)].decode("utf-8", "surrogatepass")
            found.extend((t, char_pos + s, char_pos + e) for t, s, e in _fold_with_offsets(piece))
            char_pos += len(piece)
        byte_pos = at + len(token)
        if len(found) > limit:
            break
    return found


def _normalised(raw: list[tuple[str, int, int]]) -> Normalised:
    return Normalised(
        folded=tuple(t for t, _, _ in raw),
        tokens=tuple(stem(t) for t, _, _ in raw),
        spans=tuple((s, e) for _, s, e in raw),
    )


def normalise(text: str) -> Normalised:
    """Tokens of ``text`` with their spans in ``text`` (see the module docstring for the rules)."""
    raw = token_spans(text)
    if has_spelled_out([t for t, _, _ in raw]):
        raw = _merge_singles(text, raw)
    return _normalised(raw)


def normalise_variants(text: str) -> list[Normalised]:
    """``normalise(text)``, plus the readings where spelled-out words of four letters or more leave out their
    first or last letter (see ``_merge_singles``), when the text has spelled-out words at all."""
    raw = token_spans(text)
    if not has_spelled_out([t for t, _, _ in raw]):
        return [_normalised(raw)]
    variants = {}
    for trim in (None, "start", "end"):
        merged = _merge_singles(text, raw, trim)
        variants.setdefault(tuple(merged), _normalised(merged))
    return list(variants.values())


_APOSTROPHES = str.maketrans("", "", "'’ʼ`´")


def phrase_tokens(phrase: str) -> list[tuple[str, ...]]:
    """The stemmed token sequences a lexicon phrase is matched by.

    Besides the phrase's own sequence: its tokens written as one word ("sansrisque", "riskfree") and, for
    phrases with an apostrophe, the apostrophe dropped ("can't lose" also as "cant lose").
    """
    sequences: dict[tuple[str, ...], None] = {}
    for variant in (phrase, phrase.translate(_APOSTROPHES)):
        norm = normalise(variant)
        if not norm.tokens:
            continue
        sequences.setdefault(norm.tokens)
        if len(norm.tokens) > 1:
            sequences.setdefault((stem("".join(norm.folded)),))
    return list(sequences)
