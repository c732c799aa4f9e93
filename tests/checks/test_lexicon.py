# ruff: noqa: RUF001 - typographic look-alikes are this module's subject matter
"""Lexicon matching: evasion spellings match with spans into the original text; longer words do not."""

from __future__ import annotations

import random

import pytest

from compliance.checks import CompiledLexicon, LexiconEntry, Severity, stem
from compliance.checks.normalise import normalise, normalise_variants, phrase_tokens

ENTRIES = (
    LexiconEntry(
        id="garanti",
        phrase="garanti",
        language="fr",
        jurisdiction="AMF",
        severity=Severity.BLOCK,
        explanation="Promesse.",
        suggestion="Retirez.",
    ),
    LexiconEntry(id="sans-risque", phrase="sans risque", language="fr", severity=Severity.BLOCK),
    LexiconEntry(id="assure", phrase="assuré", language="fr", severity=Severity.WARN),
    LexiconEntry(id="rendement-assure", phrase="rendement assuré", language="fr", severity=Severity.BLOCK),
    LexiconEntry(
        id="risk-free", phrase="risk-free", language="en", jurisdiction="FCA", severity=Severity.BLOCK
    ),
    LexiconEntry(id="guarantee", phrase="guarantee", language="en", jurisdiction="FINRA"),
    LexiconEntry(id="cant-lose", phrase="can't lose", language="en"),
    LexiconEntry(id="scpi", phrase="SCPI", language="*", severity=Severity.NEEDS_DISCLOSURE),
)


@pytest.fixture(scope="module")
def lexicon() -> CompiledLexicon:
    return CompiledLexicon.build(ENTRIES)


def hits(lexicon: CompiledLexicon, text: str, **kwargs) -> list[tuple[str, str]]:
    """(rule id, matched text) pairs, checking on the way that every span really points at its text."""
    found = lexicon.scan(text, **kwargs)
    for finding in found:
        assert text[finding.start : finding.end] == finding.matched
    return [(f.rule_id, f.matched) for f in found]


@pytest.mark.parametrize(
    "text, matched",
    [
        ("C'est G.A.R.A.N.T.I !", "G.A.R.A.N.T.I"),
        ("C'est G A R A N T I, promis", "G A R A N T I"),
        ("Un produit g-a-r-a-n-t-i", "g-a-r-a-n-t-i"),
        ("Rendements garanties", "garanties"),
        ("Capital GARANTIE", "GARANTIE"),
        ("Capital Garântie", "Garântie"),
        ("des produits garantis", "garantis"),
        ("gar\u200bantie à 100 %", "gar\u200bantie"),
        ("Ｇａｒａｎｔｉ", "Ｇａｒａｎｔｉ"),
        ("un placement à G A R A N T I E", "G A R A N T I E"),
    ],
)
def test_spelling_tricks_on_garanti_still_match_with_the_original_span(lexicon, text, matched):
    assert ("garanti", matched) in hits(lexicon, text)


@pytest.mark.parametrize(
    "text",
    [
        "sans-risque",
        "sans  risque",
        "sans_risque",
        "SANS RISQUE",
        "sans\u00a0risque",
        "sans\nrisque",
        "sansrisque",
        "S.A.N.S risque",
    ],
)
def test_sans_risque_matches_whatever_joins_the_two_words(lexicon, text):
    assert hits(lexicon, f"Un placement {text}.") == [("sans-risque", text)]


@pytest.mark.parametrize(
    "text", ["risk-free", "risk\u2011free", "Risk Free", "R I S K free", "RISK-FREE", "riskfree"]
)
def test_risk_free_matches_with_any_hyphen_or_spelling(lexicon, text):
    assert hits(lexicon, f"A {text} plan") == [("risk-free", text)]


def test_assure_matches_feminine_and_plural_forms(lexicon):
    text = "assurée, assurés, assurées, ASSURE"
    assert [m for _id, m in hits(lexicon, text)] == ["assurée", "assurés", "assurées", "ASSURE"]


def test_english_plurals_match(lexicon):
    assert hits(lexicon, "Our guarantees") == [("guarantee", "guarantees")]


def test_apostrophe_variants_match(lexicon):
    assert [m for _id, m in hits(lexicon, "you can't lose, can’t lose, cant lose")] == [
        "can't lose",
        "can’t lose",
        "cant lose",
    ]


def test_a_phrase_is_not_matched_inside_a_longer_unrelated_word(lexicon):
    assert hits(lexicon, "Une garantiesque aventure, des garantiestes, la vie assurancière") == []
    assert hits(lexicon, "A brisk-freeze morning; brisk freeze; risky freeway") == []
    assert hits(lexicon, "Les SCPIs") == [("scpi", "SCPIs")]  # a plural is not a longer word


def test_a_multi_word_phrase_needs_all_its_words(lexicon):
    assert hits(lexicon, "Le rendement de votre épargne") == []
    assert hits(lexicon, "Sans frais, risque de perte") == []


def test_a_longer_phrase_and_its_shorter_part_are_both_reported(lexicon):
    found = hits(lexicon, "Un rendement assuré")
    assert ("rendement-assure", "rendement assuré") in found
    assert ("assure", "assuré") in found


def test_each_entry_is_reported_once_per_span_even_when_two_keys_match(lexicon):
    found = lexicon.scan("garanti garanti")
    assert [(f.start, f.end) for f in found] == [(0, 7), (8, 15)]


def test_language_and_jurisdiction_filter_the_entries(lexicon):
    text = "risk-free et garanti, SCPI"
    assert {i for i, _ in hits(lexicon, text, language="fr")} == {"garanti", "scpi"}
    assert {i for i, _ in hits(lexicon, text, language="en")} == {"risk-free", "scpi"}
    assert {i for i, _ in hits(lexicon, text, jurisdictions=["FCA"])} == {
        "risk-free",
        "sans-risque",
        "assure",
        "rendement-assure",
        "cant-lose",
        "scpi",
    } & {"risk-free", "scpi"}


def test_a_finding_carries_severity_code_params_and_suggestion(lexicon):
    (finding,) = lexicon.scan("Capital garanti")
    assert finding.severity is Severity.BLOCK
    assert finding.code == "lexicon" and finding.check == "lexicon"
    assert finding.rule_id == "garanti"
    assert finding.suggestion == "Retirez."
    assert finding.params["phrase"] == "garanti" and finding.params["matched"] == "garanti"
    assert "garanti" in finding.message and "Promesse." in finding.message


def test_empty_lexicon_and_empty_text_give_no_findings():
    assert CompiledLexicon.build([]).scan("garanti") == []
    assert CompiledLexicon.build(ENTRIES).scan("") == []


def test_a_phrase_without_letters_is_reported_as_unmatchable():
    lexicon = CompiledLexicon.build([LexiconEntry(id="rocket", phrase="🚀"), *ENTRIES])
    assert [e.id for e in lexicon.unmatchable] == ["rocket"]


def test_entries_accept_plain_strings_and_none_from_the_database_layer():
    entry = LexiconEntry(
        id="1", phrase="x", language=None, jurisdiction=None, severity="warn", suggestion=None
    )
    assert (entry.language, entry.jurisdiction, entry.severity, entry.suggestion) == (
        "*",
        "*",
        Severity.WARN,
        "",
    )


def test_spans_survive_decomposed_accents_and_emoji_before_the_match(lexicon):
    text = "🏦 E\u0301pargne — e\u0301cole: rendement assure\u0301 !"
    found = {f.rule_id: f.matched for f in lexicon.scan(text)}
    assert found["rendement-assure"] == "rendement assure\u0301"


def test_stemmer_strips_french_and_english_endings_but_keeps_short_words():
    assert {stem(w) for w in ("garanti", "garantie", "garantis", "garanties")} == {"garanti"}
    assert stem("assuree") == stem("assure") == stem("assurees") == "assur"
    assert stem("guarantees") == stem("guarantee") == "guarant"
    assert stem("loss") == "loss" and stem("les") == "le" and stem("fee") == "fee"


def _reference(lexicon: CompiledLexicon, text: str) -> set[tuple[str, int, int]]:
    """Brute force: every entry's token sequence searched in every reading of the normalised text."""
    found = set()
    for norm in normalise_variants(text):
        for entry in lexicon.entries:
            for sequence in phrase_tokens(entry.phrase):
                n = len(sequence)
                for i in range(len(norm.tokens) - n + 1):
                    if norm.tokens[i : i + n] == sequence:
                        found.add((entry.id, norm.spans[i][0], norm.spans[i + n - 1][1]))
    return found


def test_the_fast_path_agrees_with_a_brute_force_reference_on_random_texts(lexicon):
    rng = random.Random(1234)
    words = [
        "garanti",
        "Garanties",
        "sans",
        "risque",
        "rendement",
        "assuré",
        "risk",
        "free",
        "can't",
        "lose",
        "SCPI",
        "a",
        "à",
        "G",
        "A",
        "R",
        "5",
        "€",
        "—",
        "l’offre",
        "e\u0301",
        "🏦",
        "épargne",
        "ﬁn",
        "\u200b",
        "g@ranti",
        "gar4nti",
        "garаnti",
        "gar.antie",
        "s@ns",
        "r1sque",
        "1,5",
        "B2B",
        "contact@banque.fr",
    ]
    seps = [" ", "  ", "-", ".", ", ", "\n", "\u00a0", "’", "", "@", "4"]
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 12)))
        got = {(f.rule_id, f.start, f.end) for f in lexicon.scan(text)}
        assert got == _reference(lexicon, text), text


def test_only_three_or_more_single_letters_are_merged_into_a_word():
    assert normalise("à l’offre, à 5 ans, y a-t-il").tokens[:5] == ("a", "l", "offr", "a", "5")
    assert normalise("G A R A N T I").tokens == ("garanti",)
    assert normalise("A B").tokens == ("a", "b")


def test_lone_surrogates_do_not_break_scanning_or_offsets(lexicon):
    text = "\ud800 garanti \udfff sans risque"
    assert hits(lexicon, text) == [("garanti", "garanti"), ("sans-risque", "sans risque")]
