# ruff: noqa: RUF001 - typographic look-alikes are this module's subject matter
"""Labels, risk warnings and the whole engine: one pure function, callable at submit and at publish time."""

from __future__ import annotations

import json

import pytest

from compliance.checks import (
    CheckPolicy,
    CompiledLexicon,
    Finding,
    LexiconEntry,
    Severity,
    check_label,
    check_warning,
    default_entries,
    run_checks,
)

WARNING = "Le capital n'est pas garanti."


@pytest.fixture(scope="module")
def policy() -> CheckPolicy:
    return CheckPolicy(
        lexicon=CompiledLexicon.build(default_entries()),
        allowed_domains=("bank.fr",),
        required_label="#PUB",
        required_warning=WARNING,
        language="fr",
    )


@pytest.mark.parametrize("text", ["Offre #PUB", "#pub en tête", "Offre (#Pub)", "Offre ＃PUB"])
def test_the_required_label_is_found_whatever_its_case(text):
    assert check_label(text, "#PUB") == []


@pytest.mark.parametrize("text", ["Offre PUB", "Offre #PUBLICITE", "Offre ##PUBx", "Offre"])
def test_a_missing_label_blocks_and_a_longer_hashtag_does_not_count(text):
    (finding,) = check_label(text, "#PUB")
    assert finding.code == "label.missing" and finding.severity is Severity.BLOCK
    assert finding.params == {"label": "#PUB"} and not finding.has_span


def test_an_accented_label_matches_its_unaccented_spelling():
    assert check_label("Nouveau #Publicite", "#Publicité") == []
    assert check_label("New #marketingcommunication", "#MarketingCommunication") == []


@pytest.mark.parametrize(
    "text",
    ["… Le capital n'est pas garanti.", "LE CAPITAL N’EST PAS GARANTI", "le capital n'est pas  garanti !"],
)
def test_the_risk_warning_is_found_after_normalisation(text):
    assert check_warning(text, WARNING) == []


def test_a_partial_or_reordered_warning_is_missing():
    (finding,) = check_warning("Le capital n'est pas", WARNING)
    assert finding.code == "warning.missing" and finding.suggestion == WARNING
    assert check_warning("pas garanti, le capital n'est", WARNING) != []


def test_a_compliant_post_passes(policy):
    report = run_checks(f"Découvrez notre livret sur https://bank.fr/livret #PUB\n{WARNING}", policy)
    assert report.ok and report.findings == () and bool(report)


def test_words_inside_the_mandated_warning_are_not_flagged(policy):
    report = run_checks(f"Notre livret #PUB {WARNING}", policy)
    assert not [f for f in report.findings if f.code == "lexicon"]


def test_a_bad_post_collects_every_finding_sorted_by_position(policy):
    text = "Rendement assuré, zéro risque sur notre SCPI ! Appelez le 06 12 34 56 78 ou evil.com"
    report = run_checks(text, policy)
    assert [f.start for f in report.findings] == sorted(f.start for f in report.findings)
    codes = [f.code for f in report.findings]
    assert codes.count("lexicon") == 3
    assert {"pii.phone", "link.domain", "label.missing", "warning.missing"} <= set(codes)
    assert not report.ok
    assert [f.matched for f in report.needs_disclosure] == ["SCPI"]
    assert set(report.warnings) == {f for f in report.findings if f.severity is not Severity.BLOCK}
    assert all(f.severity is Severity.BLOCK for f in report.blocking)


def test_the_same_text_and_policy_give_the_same_report(policy):
    text = "Capital garanti, #PUB, 4111 1111 1111 1111"
    assert run_checks(text, policy) == run_checks(text, policy)


def test_a_report_serialises_to_json_and_findings_round_trip(policy):
    report = run_checks("Zéro risque, écrivez à a.b@c.fr", policy)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False
    restored = [Finding.from_dict(f) for f in data["findings"]]
    assert restored == list(report.findings)


def test_the_language_selects_the_lexicon_entries():
    lexicon = CompiledLexicon.build(default_entries())
    text = "risk-free et sans risque"
    french = run_checks(text, CheckPolicy(lexicon=lexicon, allowed_domains=None, language="fr"))
    english = run_checks(text, CheckPolicy(lexicon=lexicon, allowed_domains=None, language="en"))
    assert [f.matched for f in french.findings] == ["sans risque"]
    assert [f.matched for f in english.findings] == ["risk-free"]


def test_cashtags_need_a_disclosure_and_can_be_switched_off():
    report = run_checks("On aime $TSLA et $BRK.B, pas $5", CheckPolicy(allowed_domains=None))
    assert [(f.code, f.matched, f.severity) for f in report.findings] == [
        ("cashtag", "$TSLA", Severity.NEEDS_DISCLOSURE),
        ("cashtag", "$BRK.B", Severity.NEEDS_DISCLOSURE),
    ]
    assert run_checks("$TSLA", CheckPolicy(allowed_domains=None, cashtag_severity=None)).findings == ()


def test_a_policy_accepts_lists_and_every_finding_is_hashable():
    policy = CheckPolicy(
        lexicon=CompiledLexicon.build([LexiconEntry(id="1", phrase="garanti")]),
        allowed_domains=["bank.fr"],
        jurisdictions=["AMF"],
    )
    assert policy.allowed_domains == ("bank.fr",) and policy.jurisdictions == ("AMF",)
    report = run_checks("garanti evil.com", policy)
    assert len(set(report.findings)) == len(report.findings)


def test_every_message_is_plain_english_built_from_its_code_and_params(policy):
    from compliance.checks import MESSAGES, render_message

    report = run_checks("Zéro risque 06 12 34 56 78 evil.com $ABC " + "x" * 300, policy)
    for finding in report.findings:
        assert finding.code in MESSAGES
        assert finding.message == render_message(finding.code, finding.params)
