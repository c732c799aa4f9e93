"""The default packs: enough entries per language, and every entry matches its own phrase."""

from __future__ import annotations

import pytest

from compliance.checks import DEFAULT_PACKS, CompiledLexicon, Severity, default_entries


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_default_pack_has_at_least_25_entries_with_all_three_severities(language):
    pack = DEFAULT_PACKS[language]
    assert len(pack) >= 25
    assert {e.severity for e in pack} == set(Severity)
    assert all(e.language == language and e.explanation and e.suggestion for e in pack)


def test_default_entry_ids_are_unique():
    ids = [e.id for e in default_entries()]
    assert len(ids) == len(set(ids))


def test_every_default_entry_matches_its_own_phrase():
    lexicon = CompiledLexicon.build(default_entries())
    assert lexicon.unmatchable == ()
    for entry in default_entries():
        found = lexicon.scan(entry.phrase, language=entry.language)
        assert entry.id in {f.rule_id for f in found}, entry.phrase


@pytest.mark.parametrize(
    "text, rule",
    [
        ("Un rendement ASSURÉ", "fr-rendement-assure"),
        ("placements sûrs", "fr-placement-sur"),
        ("Dernière chance !", "fr-derniere-chance"),
        ("Les meilleurs taux", "fr-meilleur-taux"),
        ("plus-values assurées", "fr-plus-value-assuree"),
        ("Guaranteed returns!", "en-guaranteed-returns"),
        ("You CAN'T LOSE", "en-cant-lose"),
        ("It's a no brainer", "en-no-brainer"),
        ("Best rates", "en-best-rate"),
    ],
)
def test_default_entries_catch_everyday_variants(text, rule):
    lexicon = CompiledLexicon.build(default_entries())
    assert rule in {f.rule_id for f in lexicon.scan(text)}
