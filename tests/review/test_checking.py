"""The automatic checks fed from the database: rules match, and the lexicon is compiled once per version."""

from __future__ import annotations

import pytest

from advocacy.content.models import ComplianceSettings
from compliance.review import checking, rulepacks
from compliance.review.models import CategoryRequirement, RulePack

pytestmark = pytest.mark.django_db


def _codes(report):
    return [
        (f.severity.value if hasattr(f.severity, "value") else f.severity, f.matched) for f in report.findings
    ]


def test_a_rule_of_an_active_pack_is_found_in_a_text(test_pack):
    report = checking.check_text("Un Rendement Mirobolant pour vous", category=None, language="fr")
    assert ("block", "Rendement Mirobolant") in _codes(report)
    assert report.blocking
    finding = next(f for f in report.findings if f.matched == "Rendement Mirobolant")
    assert "Promesse de rendement interdite." in finding.message
    assert finding.suggestion == "rendement potentiel"


def test_a_french_rule_does_not_fire_on_an_english_text(test_pack):
    report = checking.check_text("rendement mirobolant", category=None, language="en")
    assert not [f for f in report.findings if f.check == "lexicon" and "mirobolant" in f.matched.lower()]


def test_a_deactivated_rule_or_pack_no_longer_matches(test_pack, compliance_officer):
    rule = test_pack.rules.get(phrase="rendement mirobolant")
    rulepacks.deactivate_rule(rule=rule, actor=compliance_officer)
    assert not checking.check_text("rendement mirobolant", category=None, language="fr").blocking
    rulepacks.update_pack(pack=test_pack, actor=compliance_officer, active=False)
    report = checking.check_text("dernière chance", category=None, language="fr")
    assert not [f for f in report.findings if "chance" in f.matched]


def test_the_lexicon_is_compiled_once_and_reused_while_no_pack_changes(test_pack, monkeypatch):
    builds = []
    original = checking.checks.CompiledLexicon.build
    monkeypatch.setattr(
        checking.checks.CompiledLexicon,
        "build",
        classmethod(lambda cls, entries: builds.append(1) or original(entries)),
    )
    first = checking.compiled_lexicon()
    for _ in range(3):
        checking.check_text("dernière chance", category=None, language="fr")
    assert checking.compiled_lexicon() is first
    assert len(builds) == 1


def test_editing_a_rule_rebuilds_the_lexicon_on_the_next_check(test_pack, compliance_officer):
    before = checking.compiled_lexicon()
    assert not [
        f
        for f in checking.check_text("taux imbattable", category=None, language="fr").findings
        if f.check == "lexicon"
    ]
    rule = test_pack.rules.get(phrase="dernière chance")
    rulepacks.save_rule(pack=test_pack, rule=rule, actor=compliance_officer, phrase="taux imbattable")
    assert checking.compiled_lexicon() is not before
    report = checking.check_text("Un taux imbattable", category=None, language="fr")
    assert [f for f in report.findings if f.matched == "taux imbattable"]


def test_reading_the_cache_key_costs_one_query(test_pack, django_assert_num_queries):
    checking.compiled_lexicon()
    with django_assert_num_queries(1):
        checking.compiled_lexicon()


def test_every_pack_change_moves_the_version_on_and_is_archived(test_pack, compliance_officer, archived):
    version = test_pack.version
    rule = test_pack.rules.get(phrase="dernière chance")
    rulepacks.save_rule(pack=test_pack, rule=rule, actor=compliance_officer, severity="block")
    rulepacks.update_pack(pack=test_pack, actor=compliance_officer, description="Nouvelle description")
    assert RulePack.objects.get(pk=test_pack.pk).version == version + 2
    assert [event for event, _payload in archived] == ["rulepack.changed", "rulepack.changed"]
    assert archived[0][1]["before"]["severity"] == "warn"
    assert archived[0][1]["after"]["severity"] == "block"


def test_saving_a_rule_unchanged_neither_bumps_nor_archives(test_pack, compliance_officer, archived):
    rule = test_pack.rules.get(phrase="dernière chance")
    rulepacks.save_rule(pack=test_pack, rule=rule, actor=compliance_officer, severity="warn")
    assert RulePack.objects.get(pk=test_pack.pk).version == test_pack.version
    assert archived == []


def test_the_policy_carries_the_label_and_warning_of_the_category_and_language(db):
    CategoryRequirement.objects.update_or_create(
        category="test-product",
        language="fr",
        defaults={"required_label": "#PUBTEST", "required_warning": "Risque de perte en capital."},
    )
    CategoryRequirement.objects.update_or_create(
        category="test-product",
        language="*",
        defaults={"required_label": "#AnyTest", "required_warning": ""},
    )
    settings_row = ComplianceSettings.current()
    settings_row.allowed_domains = ["banque-exemple.fr"]
    settings_row.save()
    french = checking.policy_for(category="test-product", language="fr")
    assert french.required_label == "#PUBTEST"
    assert french.required_warning == "Risque de perte en capital."
    assert "banque-exemple.fr" in french.allowed_domains
    assert checking.policy_for(category="test-product", language="en").required_label == "#AnyTest"
    assert checking.policy_for(category=None, language="fr").required_label is None


def test_the_default_french_and_english_packs_are_loaded_and_applied(db):
    french = RulePack.objects.get(language="fr", name__startswith="AMF")
    english = RulePack.objects.get(language="en", name__startswith="FCA")
    assert french.rules.filter(active=True).count() >= 25
    assert english.rules.filter(active=True).count() >= 25
    blocking = checking.check_text("Un placement SANS-RISQUE !", category=None, language="fr").blocking
    assert [f.rule_id for f in blocking if f.check == "lexicon"]
    report = checking.check_text("A risk-free investment", category=None, language="en")
    assert [f for f in report.blocking if f.check == "lexicon"]


def test_the_default_settings_allow_the_bank_domains_and_label_product_posts(db):
    settings_row = ComplianceSettings.current()
    assert "banque-exemple.fr" in settings_row.allowed_domains
    assert settings_row.max_weighted_length == 280
    report = checking.check_text(
        "Notre fonds https://ailleurs.example.com/x", category="product", language="fr"
    )
    codes = {f.code for f in report.blocking}
    assert "link.domain" in codes and "label.missing" in codes
    ok = checking.check_text(
        "Notre fonds https://www.banque-exemple.fr/fonds #PUB Investir comporte un risque "
        "de perte en capital.",
        category="product",
        language="fr",
    )
    assert not [f for f in ok.blocking if f.code in ("link.domain", "label.missing", "warning.missing")]
