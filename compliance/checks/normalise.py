# ruff: noqa: RUF001, RUF002 - typographic look-alikes are this module's subject matter
"""Text folding for matching, with a map back to the original offsets.

Why this exists: a lexicon that matches exact strings is beaten by "GARANTIE", "Garântie", "sans-risque",
"G.A.R.A.N.T.I", a Cyrillic "а" in "garаnti", "g@ranti" or an invisible character inside a word, and one
that matches substrings raises floods of false alerts ("garanti" inside an unrelated word). So text and
lexicon phrases go through the SAME pipeline and are compared as sequences of whole tokens:

1. Fold every character: NFKD, letters of other scripts that look like Latin ones to their Latin skeleton
   (Unicode TR39 confusables, see ``_latin_skeleton``), drop combining marks (accents) and invisible format
   characters (zero-width space, soft hyphen, ...), casefold, a few ligatures (œ -> oe). Anything that is
   not a letter or digit becomes a separator. Separators never join words, so "brisk-freeze" can never
   match "risk free".
2. Tokens are the runs of letters and digits. Runs of three or more single letters separated by the same
   short separator on one line ("G.A.R.A.N.T.I", "R I S K") are merged into one token, because that is how
   people spell a word out to dodge a filter. Two letters ("à l’offre") or digits ("à 5 ans") never merge.
3. A light stemmer, identical for text and phrases, removes plural and feminine endings (French e/s/es/x,
   English s/es) and evens out the irregular plurals (capital/capitaux, travail/travaux, annuity/annuities),
   so "garanti" matches "garanties" and "capital garanti" matches "capitaux garantis".
4. Besides that reading, a text is also read with its evasions undone, word by word (``word_alternates``):
   digits and symbols standing for letters inside a word ("gar4nti", "g@ranti") and punctuation between
   the letters of a word ("gar.antie"). These are extra readings, never replacements: "capital-garanti"
   still holds "garanti". Numbers ("1,5 %", "2026"), codes ("B2B", "O2"), e-mails and URLs get none.

Speed matters (every draft, every keystroke of the "try a text" page, every publication), so the hot path
avoids per-character Python: the text is encoded to UTF-8 and ``bytes.translate`` folds ASCII (case,
punctuation to spaces) in C; ``bytes.split`` cuts "raw tokens". Only raw tokens holding non-ASCII bytes
("épargne", "d’offre", "€") go through the per-character folding, and each distinct raw token only once
(callers cache by raw token). ``raw_tokens`` is shared by the hot path and ``normalise`` (tokens with their
original spans), so both see the same token sequence by construction.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from disarm import normalize_confusables

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
    "readings",
    "stem",
    "token_spans",
    "tokens",
    "word_alternates",
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


def _latin_skeleton(char: str) -> str:
    """A letter (or digit) of another script that looks like Latin letters (digits), as those: Cyrillic "а"
    -> "a", Greek "Ρ" -> "P", Cherokee "Ꭺ" -> "A", Devanagari "०" -> "0"; anything else unchanged.

    The visual mapping is Unicode's TR39 confusables table (Unicode 17) as folded towards Latin by disarm
    (``normalize_confusables``), which keeps case ("Ι" -> "I", not TR39's raw "l") and does not apply the
    raw skeleton's Latin-to-Latin rules (m -> rn, 0 -> O). Only letters and digits are folded, and only to
    ASCII letters and digits respectively: a symbol that looks like a letter ("€" like "e", "×" like "x")
    stays a separator, so prices and formulas never turn into words. ASCII is never changed, and accented
    Latin letters never reach here as such (NFKD has split "é" into "e" and its accent already).
    """
    if char.isascii():
        return char
    category = unicodedata.category(char)
    if category[0] != "L" and category != "Nd":
        return char
    target = normalize_confusables(char)
    if target == "rn":  # TR39 writes the m look-alikes (U+0271 ...) as "rn", the skeleton of "m"
        target = "m"
    if not target.isascii() or not (target.isalpha() if category[0] == "L" else target.isdigit()):
        return char
    return target


def fold_char(char: str) -> str:
    """The folded form of one character: "" (vanishes), " " (a separator) or letters/digits."""
    skeleton = "".join(map(_latin_skeleton, unicodedata.normalize("NFKD", char)))
    folded = _VANISH.sub("", skeleton.casefold()).translate(_LIGATURES)
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


# French nouns in -ail whose plural is -aux (the grammar books' list; "détail", "rail" take an s).
_AIL_AUX = frozenset(("bail", "corail", "soupirail", "travail", "vantail", "ventail", "vitrail"))


def stem(token: str) -> str:
    """Strip one plural ending (s, x; not after another s: "loss"), then up to two final e's, keeping at
    least three characters ("assurées" -> "assur", "guarantees" -> "guarant", "free" -> "fre").

    Then even out the irregular plurals, so that singular and plural reach the same stem:
    French -al/-aux ("capital", "capitale", "capitaux" -> "capitau"; -eau/-eaux and -ou/-oux are regular
    here already, the x goes), -ail/-aux for the few nouns that take it ("travail", "travaux" ->
    "travau"), English consonant + y/-ies ("annuity", "annuities" -> "annuiti") and -ey/-ies ("money",
    "monies" -> "moni"). Both sides of a match go through this, so a collision only matters when it lands
    on a lexicon token ("tal" and "taux" share "tau": no rule pack forbids either).
    """
    if token in _AIL_AUX:
        return token[:-2] + "u"
    if len(token) >= 3 and token[-1] in "sx" and token[-2] != "s":
        token = token[:-1]
    if len(token) >= 4 and token[-1] == "e":
        token = token[:-1]
        if len(token) >= 4 and token[-1] == "e":
            token = token[:-1]
    if len(token) >= 4:
        last = token[-1]
        if last == "l" and token[-2] == "a":
            token = token[:-1] + "u"
        elif last == "y" and token[-2] == "e" and len(token) >= 5:
            token = token[:-2] + "i"
        elif last == "y" and token[-2] not in "aeiouy":
            token = token[:-1] + "i"
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
    """Every reading of ``text`` the lexicon matches against: ``normalise(text)``; the readings where
    spelled-out words of four letters or more leave out their first or last letter (see ``_merge_singles``),
    when the text has spelled-out words at all; and, when a word has evasions to undo (see
    ``word_alternates``), the text with every such word's letters restored, then also joined."""
    return [_normalised(reading) for reading in readings(text)]


def readings(text: str) -> list[list[tuple[str, int, int]]]:
    """``normalise_variants`` before stemming: each reading as folded tokens with their spans."""
    raw = token_spans(text)
    found: dict[tuple, list[tuple[str, int, int]]] = {}
    base = raw
    if has_spelled_out([t for t, _, _ in raw]):
        for trim in (None, "start", "end"):
            merged = _merge_singles(text, raw, trim)
            found.setdefault(tuple(merged), merged)
            if trim is None:
                base = merged
    else:
        found[tuple(raw)] = raw
    alternates = word_alternates(text)
    if alternates:
        for reading in _with_alternates(base, alternates):
            found.setdefault(tuple(reading), reading)
    return list(found.values())


# --- Evasions undone, word by word -----------------------------------------------------------------------
# Digits and symbols typed for letters ("gar4nti", "g@ranti", "r!sque", "zer0"). 1 is read as i, its usual
# stand-in in such spellings ("r1sque", "garant1e").
_LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "@": "a",
    "$": "s",
    "€": "e",
    "!": "i",
    "|": "l",
}
_LEET_AT_END = frozenset("0134578")  # "zer0", "garant1": one digit closing a word of 3+ letters
_LEET_RUN = 2  # at most this many in a row between letters ("g44ranti"); "A380" or "REF2026X" are codes
_JOIN_RUN = 3  # punctuation of at most this many characters between two letters is read through
_WORD = re.compile(r"\S+")
_EMAIL_HOST = re.compile(r"@[^@]*\.[^\W\d_]{2,}")


def _kind(char: str) -> str:
    """Once folded: L (a letter), D (a digit), V (vanishes: accent, zero-width) or S (a separator)."""
    folded = _FOLD[ord(char)]
    if not folded:
        return "V"
    return "L" if folded.isalpha() else "D" if folded.isdigit() else "S"


def _neighbour(kinds: list[str], index: int, step: int) -> str:
    """The kind of the nearest character from ``index`` on (in direction ``step``) that does not vanish."""
    while 0 <= index < len(kinds):
        if kinds[index] != "V":
            return kinds[index]
        index += step
    return ""


def _letters_before(kinds: list[str], index: int) -> int:
    count = 0
    index -= 1
    while index >= 0 and kinds[index] in "LV":
        count += kinds[index] == "L"
        index -= 1
    return count


def _decoded_letters(word: str, kinds: list[str]) -> dict[int, str]:
    """Positions in ``word`` of digits and symbols that stand for letters, with those letters.

    Only between letters (a run of at most ``_LEET_RUN``), or one digit ending a word of three letters or
    more; never before a word's first letter or digit (hashtags, mentions, cashtags: "#", "@", "$") nor after
    its last (the "!" of a sentence). So "1,5", "2026", "B2B", "O2", "H2O", "4G", "1er", "5ans" and prices
    are never read as letters.
    """
    alnum = [i for i, k in enumerate(kinds) if k in "LD"]
    if not alnum or "L" not in kinds:
        return {}
    first, last = alnum[0], alnum[-1]
    decoded: dict[int, str] = {}
    index = first
    while index <= last:
        char = word[index]
        if char not in _LEET or kinds[index] not in "DS":
            index += 1
            continue
        end = index
        while end <= last and word[end] in _LEET and kinds[end] in "DS":
            end += 1
        run = end - index
        before, after = _neighbour(kinds, index - 1, -1), _neighbour(kinds, end, 1)
        between = before == "L" and after == "L" and run <= _LEET_RUN
        closing = (
            before == "L"
            and end > last
            and run == 1
            and char in _LEET_AT_END
            and _letters_before(kinds, index) >= 3
        )
        if between or closing:
            for position in range(index, end):
                decoded[position] = _LEET[word[position]]
        index = end
    return decoded


def _joined_separators(kinds: list[str]) -> set[int]:
    """Positions of punctuation runs (at most ``_JOIN_RUN`` characters) with a letter on either side."""
    joined: set[int] = set()
    index = 0
    while index < len(kinds):
        if kinds[index] != "S":
            index += 1
            continue
        end = index
        while end < len(kinds) and kinds[end] in "SV":
            end += 1
        run = sum(k == "S" for k in kinds[index:end])
        if run <= _JOIN_RUN and _neighbour(kinds, index - 1, -1) == "L" and _neighbour(kinds, end, 1) == "L":
            joined.update(range(index, end))
        index = end
    return joined


def _walk(word: str, decoded: dict[int, str], joined: set[int]) -> list[tuple[str, int, int]]:
    """``_fold_with_offsets`` with some characters read as letters (``decoded``) and some separators read
    through (``joined``)."""
    found: list[tuple[str, int, int]] = []
    chars: list[str] = []
    start = end = 0
    for index, char in enumerate(word):
        if index in joined:
            continue
        folded = decoded.get(index) or _FOLD[ord(char)]
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


def _is_address(word: str) -> bool:
    """An e-mail address or a URL: the personal-data and link checks speak for those, and reading their
    punctuation through would make words of host names ("contact@banque.fr", "www.bank.fr/offre")."""
    from compliance.checks.urls import find_urls

    return bool(_EMAIL_HOST.search(word)) or bool(find_urls(word))


@dataclass(frozen=True, slots=True)
class WordAlternates:
    """One word's readings with its evasions undone: ``letters`` with digits and symbols read as letters
    ("g@ranti" -> "garanti"), ``joined`` with punctuation between letters also read through ("gar.antie"
    -> "garantie"); each None when it reads like the word as it is. Spans are offsets into the text."""

    start: int
    end: int
    plain: tuple[tuple[str, int, int], ...]
    letters: tuple[tuple[str, int, int], ...] | None
    joined: tuple[tuple[str, int, int], ...] | None


def word_alternates(text: str) -> list[WordAlternates]:
    """Words of ``text`` (runs of non-space characters) that read differently once their evasions are
    undone, with those readings. Most words are letters only and cost one ``isalpha``."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isalpha():
            continue
        readings = _word_readings(word)
        if readings is None:
            continue
        plain, letters, joined = readings
        base = match.start()
        found.append(
            WordAlternates(
                start=base,
                end=match.end(),
                plain=_shifted(plain, base),
                letters=None if letters is None else _shifted(letters, base),
                joined=None if joined is None else _shifted(joined, base),
            )
        )
    return found


@functools.lru_cache(maxsize=65_536)
def _word_readings(word: str) -> tuple[list, list | None, list | None] | None:
    """(plain tokens, letters reading or None, joined reading or None) of one word, offsets in the word;
    None when neither reading differs. Cached: the same words come back in post after post."""
    kinds = [_kind(c) for c in word]
    if "L" not in kinds or _is_address(word):
        return None
    decoded = _decoded_letters(word, kinds)
    if decoded:
        kinds = [("L" if i in decoded else k) for i, k in enumerate(kinds)]
    joined = _joined_separators(kinds)
    if not decoded and not joined:
        return None
    plain = _fold_with_offsets(word)
    letters = _walk(word, decoded, set()) if decoded else plain
    both = _walk(word, decoded, joined) if joined else letters
    if letters == plain and both == letters:
        return None
    return plain, letters if letters != plain else None, both if both != letters else None


def _shifted(tokens: list[tuple[str, int, int]], by: int) -> tuple[tuple[str, int, int], ...]:
    return tuple((t, by + s, by + e) for t, s, e in tokens)


def _with_alternates(
    base: list[tuple[str, int, int]], alternates: list[WordAlternates]
) -> list[list[tuple[str, int, int]]]:
    """``base`` with every word of ``alternates`` replaced by its letters reading, then by its joined one
    (its letters reading where it has no joined one); a word without such a reading keeps its tokens."""
    readings = []
    for pick in ("letters", "joined"):
        reading: list[tuple[str, int, int]] = []
        position = 0
        for word in alternates:
            chosen = (word.joined or word.letters) if pick == "joined" else word.letters
            if chosen is None:
                continue
            while position < len(base) and base[position][2] <= word.start:
                reading.append(base[position])
                position += 1
            while position < len(base) and base[position][1] < word.end:
                position += 1  # the word's own tokens, replaced by ``chosen``
            reading.extend(chosen)
        reading.extend(base[position:])
        readings.append(reading)
    return readings


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
