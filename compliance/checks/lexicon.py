"""Restricted-phrase lexicon: many phrases, one pass over the text.

Why Aho-Corasick: a rule pack holds hundreds to thousands of phrases and every draft, every keystroke in the
"try a text" page and every publication is checked; a regex alternation (or a loop over phrases) grows with
the number of phrases, an automaton does not. The automaton is built once per set of entries
(``CompiledLexicon.build``) and the Django layer caches it per rule-pack version.

Matching happens on whole tokens (see ``normalise``). Every distinct stemmed token of the lexicon gets a
short fixed-width code; a text becomes one code per token (unknown tokens share a code that no pattern
uses), and each phrase is a short string of codes. So a match always starts and ends on token boundaries,
and a post without any lexicon token is rejected before the automaton runs. Codes are cached per word (a
run of non-space bytes), so a word is folded and stemmed once per process, and so is the question "does
undoing this word's evasions (``word_alternates``: "g@ranti", "gar.antie") give a lexicon token?". Only
posts where it does, or with a spelled-out word to merge, are read again in every reading
(``normalise.readings``); only posts with a hit pay for character offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress

import ahocorasick

from compliance.checks.findings import Finding, Severity
from compliance.checks.messages import render_message
from compliance.checks.normalise import (
    _ASCII,
    _single_letter,
    fold_raw,
    phrase_tokens,
    readings,
    stem,
    token_spans,
    utf8,
    word_alternates,
)

__all__ = ["ANY", "CompiledLexicon", "LexiconEntry"]

ANY = "*"


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One restricted phrase. ``language`` is "fr", "en" or "*" (None is read as "*"); ``jurisdiction`` is
    e.g. "AMF", "FCA" or "*". ``explanation`` and ``suggestion`` are shown to the author as written (they are
    rule-pack data in the pack's language, not interface strings)."""

    id: str
    phrase: str
    language: str | None = ANY
    jurisdiction: str | None = ANY
    severity: Severity = Severity.WARN
    explanation: str = ""
    suggestion: str | None = ""

    def __post_init__(self) -> None:
        if not isinstance(self.severity, Severity):
            object.__setattr__(self, "severity", Severity(self.severity))
        object.__setattr__(self, "language", (self.language or ANY).lower())
        object.__setattr__(self, "jurisdiction", self.jurisdiction or ANY)
        object.__setattr__(self, "suggestion", self.suggestion or "")

    def applies_to(self, language: str | None, jurisdictions: frozenset[str] | None) -> bool:
        if language is not None and self.language != ANY and self.language != language.lower():
            return False
        return jurisdictions is None or self.jurisdiction == ANY or self.jurisdiction in jurisdictions


# Token codes. pyahocorasick searches a node's transitions linearly, so a huge alphabet (one character per
# token) makes the root node slow; codes are therefore short strings over a small ASCII alphabet: one "start"
# character (from MULTI_STARTS, or SINGLE_STARTS for single-letter tokens) then ``digits`` characters from
# DIGITS. Start characters never occur elsewhere, so a match can only begin at a token's first character and
# always covers whole tokens. Unknown tokens are "!!!" / "???" (never in a pattern). All codes of one
# lexicon have the same width, so a match ending at index i ends on token i // width.
_ALPHABET = [chr(c) for c in range(0x21, 0x7F) if chr(c) not in "!?"]
_MULTI_STARTS = "".join(_ALPHABET[:16])
_SINGLE_STARTS = "".join(_ALPHABET[16:28])
_DIGITS = "".join(_ALPHABET[28:92])
_CACHE_LIMIT = 300_000


def _digits_needed(multi: int, single: int) -> int:
    digits = 1
    while (
        len(_MULTI_STARTS) * len(_DIGITS) ** digits < multi
        or len(_SINGLE_STARTS) * len(_DIGITS) ** digits < single
    ):
        digits += 1
    return digits


def _code(index: int, starts: str, digits: int) -> str:
    index, start = divmod(index, len(starts))
    out = [starts[start]]
    for _ in range(digits):
        index, digit = divmod(index, len(_DIGITS))
        out.append(_DIGITS[digit])
    return "".join(out)


# ASCII whitespace (what ``bytes.split()`` splits on) to spaces, so that ``split(b" ")`` gives word offsets.
_SPACES = bytes(32 if b in b"\t\n\r\x0b\x0c" else b for b in range(256))


class _Codes(dict):
    """Word -> codes, per compiled lexicon. Keys are words (bytes: runs of non-space bytes of the UTF-8
    text) whose value is the codes of all the tokens they fold to, or folded tokens (str) with one code.
    ``alternates`` holds the words whose evasions, once undone, give a lexicon token ("g@ranti")."""

    __slots__ = ("alternates", "containing", "patterns", "unknown", "unknown_single", "vocabulary")

    def __init__(
        self, vocabulary: dict[str, str], width: int, patterns: dict[tuple[str, ...], frozenset[int]]
    ) -> None:
        super().__init__()
        self.vocabulary = vocabulary
        self.unknown = "!" * width
        self.unknown_single = "?" * width
        self.alternates: set[bytes] = set()
        self.patterns = patterns
        self.containing: dict[str, list[tuple[str, ...]]] = {}
        for sequence in patterns:
            for token in set(sequence):
                self.containing.setdefault(token, []).append(sequence)

    def code(self, token: str) -> str:
        code = self.vocabulary.get(stem(token))
        if code is None:
            return self.unknown_single if _single_letter(token) else self.unknown
        return code

    def __missing__(self, key: bytes | str) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
            self.alternates.clear()
        if isinstance(key, str):
            value = self.code(key)
        else:
            value = "".join([self.code(t) for raw in key.translate(_ASCII).split() for t in fold_raw(raw)])
            if not key.isalpha() and self._has_alternates(key):
                self.alternates.add(key)
        self[key] = value
        return value

    def _has_alternates(self, word: bytes) -> bool:
        """Undoing the word's evasions gives a lexicon token that can match where the word as it is cannot.

        A new token (one the word's plain tokens do not have at that place) matters if the lexicon knows
        it, unless it is only the joined spelling of those plain tokens and every phrase that has it also
        has them in its place, for the same entries: "rendez-vous" read as "rendezvous", or "aujourd'hui"
        as "aujourdhui", when phrases hold them only because ``phrase_tokens`` adds joined spellings. Then
        every match of that reading is a match of the plain one, with the same span, and the post can stay
        on the fast path.
        """
        for alternate in word_alternates(word.decode("utf-8", "surrogatepass")):
            plain = set(alternate.plain)
            for reading in (alternate.letters, alternate.joined):
                for token in reading or ():
                    if token in plain:
                        continue
                    text, start, end = token
                    stemmed = stem(text)
                    if stemmed not in self.vocabulary:
                        continue
                    inside = tuple(stem(t) for t, s, e in alternate.plain if start <= s and e <= end)
                    if not self._same_as(stemmed, inside):
                        return True
        return False

    def _same_as(self, token: str, tokens: tuple[str, ...]) -> bool:
        """Every pattern with ``token`` also exists, for at least the same entries, with ``tokens`` in its
        place (by induction, a pattern with several such tokens then has its fully replaced twin too)."""
        if not tokens:
            return False
        patterns = self.patterns
        for sequence in self.containing.get(token, ()):
            entries = patterns[sequence]
            for index, item in enumerate(sequence):
                if item != token:
                    continue
                twin = patterns.get(sequence[:index] + tokens + sequence[index + 1 :])
                if twin is None or not entries <= twin:
                    return False
        return True


class CompiledLexicon:
    """An immutable compiled lexicon, safe to share between threads (only its token-code cache changes).

    ``unmatchable`` lists entries whose phrase has no letter or digit (e.g. only an emoji): they can never
    match, and the rule-pack form should say so.
    """

    __slots__ = ("_automaton", "_codes", "_spelled_out", "_width", "entries", "unmatchable")

    def __init__(
        self,
        entries: tuple[LexiconEntry, ...],
        unmatchable: tuple[LexiconEntry, ...],
        automaton: ahocorasick.Automaton | None,
        vocabulary: dict[str, str],
        width: int,
        patterns: dict[tuple[str, ...], frozenset[int]] | None = None,
    ) -> None:
        self.entries = entries
        self.unmatchable = unmatchable
        self._automaton = automaton
        self._width = width
        self._codes = _Codes(vocabulary, width, patterns or {})
        # Three single letters in a row: the text may spell a word out and needs normalise().
        single = "[" + re.escape(_SINGLE_STARTS + "?") + "]"
        gap = "." * (width - 1)
        self._spelled_out = re.compile(single + gap + single + gap + single, re.DOTALL)

    @classmethod
    def build(cls, entries: Iterable[LexiconEntry]) -> CompiledLexicon:
        entries = tuple(entries)
        unmatchable = []
        sequences_of: list[list[tuple[str, ...]]] = []
        multi: dict[str, int] = {}
        single: dict[str, int] = {}
        for entry in entries:
            sequences = phrase_tokens(entry.phrase)
            if not sequences:
                unmatchable.append(entry)
            sequences_of.append(sequences)
            for token in (t for sequence in sequences for t in sequence):
                table = single if _single_letter(token) else multi
                table.setdefault(token, len(table))
        digits = _digits_needed(len(multi), len(single))
        vocabulary = {t: _code(i, _MULTI_STARTS, digits) for t, i in multi.items()}
        vocabulary.update({t: _code(i, _SINGLE_STARTS, digits) for t, i in single.items()})
        by_pattern: dict[str, tuple[list[int], int]] = {}
        patterns: dict[tuple[str, ...], set[int]] = {}
        for index, sequences in enumerate(sequences_of):
            for sequence in sequences:
                patterns.setdefault(sequence, set()).add(index)
                pattern = "".join(vocabulary[t] for t in sequence)
                indexes, _count = by_pattern.setdefault(pattern, ([], len(sequence)))
                if index not in indexes:
                    indexes.append(index)
        automaton = None
        if by_pattern:
            automaton = ahocorasick.Automaton()
            for pattern, (indexes, count) in by_pattern.items():
                automaton.add_word(pattern, (tuple(indexes), count))
            automaton.make_automaton()
        frozen = {sequence: frozenset(indexes) for sequence, indexes in patterns.items()}
        return cls(entries, tuple(unmatchable), automaton, vocabulary, digits + 1, frozen)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<CompiledLexicon: {len(self.entries)} entries>"

    def scan(
        self, text: str, language: str | None = None, jurisdictions: Iterable[str] | None = None
    ) -> list[Finding]:
        """Findings for every entry (of ``language`` and ``jurisdictions``, or all) found in ``text``, each
        distinct entry once per span, sorted by position. Spans are offsets into ``text``."""
        automaton = self._automaton
        if automaton is None or not text:
            return []
        codes = self._codes
        data = utf8(text)
        words = data.split()
        encoded = "".join(map(codes.__getitem__, words))
        alternates = codes.alternates
        if (alternates and not alternates.isdisjoint(words)) or self._spelled_out.search(encoded):
            return self._scan_readings(text, language, jurisdictions)
        if not encoded.strip("!?"):
            return []  # not one lexicon token: decided without the automaton
        width = self._width
        hits = [(end // width, value) for end, value in automaton.iter(encoded)]
        if not hits:
            return []
        needed = {last for last, _ in hits} | {last - count + 1 for last, (_i, count) in hits}
        spans = self._spans(data, words, needed)  # same tokens as ``encoded``: spans of the matched ones only
        return self._findings(text, [(spans, hits)], language, jurisdictions)

    def _scan_readings(self, text, language, jurisdictions) -> list[Finding]:
        """Texts with a spelled-out word or an evasion to undo: every reading of the text is scanned (see
        ``normalise_variants``), each finding reported once per span."""
        codes, width = self._codes, self._width
        found = []
        for reading in readings(text):
            encoded = "".join([codes[t] for t, _s, _e in reading])
            hits = [(end // width, value) for end, value in self._automaton.iter(encoded)]
            if hits:
                found.append(([(s, e) for _t, s, e in reading], hits))
        return self._findings(text, found, language, jurisdictions)

    def _spans(self, data: bytes, words: list[bytes], needed: set[int]) -> dict[int, tuple[int, int]]:
        """Spans in the text (``data`` is its UTF-8) of the tokens at ``needed`` indexes, without walking
        every token in Python: word byte offsets come from C-level ``accumulate``/``compress``, character
        offsets from decoding a prefix, and only the words holding a needed token are folded again."""
        pieces = data.translate(_SPACES).split(b" ")
        lengths_before = list(
            accumulate(map(len, pieces), initial=0)
        )  # piece k starts at lengths_before[k] + k
        piece_of_word = list(compress(range(len(pieces)), pieces))
        width = self._width
        # cumulative code characters through each word: word w holds tokens [ends[w-1], ends[w]) / width
        ends = list(accumulate(map(len, map(self._codes.__getitem__, words))))
        ascii_text = data.isascii()
        spans = {}
        for token in needed:
            w = bisect_right(ends, token * width)
            piece_index = piece_of_word[w]
            at = lengths_before[piece_index] + piece_index
            char_at = at if ascii_text else len(data[:at].decode("utf-8", "surrogatepass"))
            word = words[w].decode("utf-8", "surrogatepass")
            first = (ends[w - 1] if w else 0) // width
            _t, start, end = token_spans(word)[token - first]
            spans[token] = (char_at + start, char_at + end)
        return spans

    def _findings(self, text, found, language, jurisdictions) -> list[Finding]:
        """``found``: (spans by token index, hits as (last token, (entry indexes, token count))) pairs."""
        wanted = frozenset(jurisdictions) if jurisdictions is not None else None
        seen: set[tuple[int, int, int]] = set()
        findings = []
        for spans, hits in found:
            for last, (indexes, count) in hits:
                start, end = spans[last - count + 1][0], spans[last][1]
                for index in indexes:
                    if (index, start, end) in seen:
                        continue
                    seen.add((index, start, end))
                    entry = self.entries[index]
                    if entry.applies_to(language, wanted):
                        findings.append(_finding(entry, text[start:end], start, end))
        findings.sort(key=lambda f: (f.start, f.end, f.rule_id or ""))
        return findings


def _finding(entry: LexiconEntry, matched: str, start: int, end: int) -> Finding:
    params = {
        "matched": matched,
        "phrase": entry.phrase,
        "explanation": entry.explanation,
        "language": entry.language,
        "jurisdiction": entry.jurisdiction,
    }
    return Finding(
        check="lexicon",
        severity=entry.severity,
        start=start,
        end=end,
        matched=matched,
        message=render_message("lexicon", params),
        suggestion=entry.suggestion or "",
        rule_id=entry.id,
        code="lexicon",
        params=params,
    )
