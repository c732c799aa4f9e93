"""The rule-pack editor: compliance adds, edits and deactivates rules; bad input gets a clear message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compliance.review.models import LexiconRule, RulePack

pytestmark = pytest.mark.django_db


def _rule_post(**overrides):
    data = {
        "rule-phrase": "sans risque",
        "rule-language": "fr",
        "rule-jurisdiction": "FR",
        "rule-severity": "block",
        "rule-explanation": "Aucun placement n'est sans risque.",
        "rule-suggestion": "à risque maîtrisé",
        "rule-active": "on",
    }
    data.update(overrides)
    return data


def test_a_compliance_officer_creates_a_pack_and_adds_a_rule(compliance_officer, client_for, archived):
    client = client_for(compliance_officer)
    response = client.post(
        reverse("review:packs"), {"name": "AMF test", "language": "fr", "jurisdiction": "FR", "active": "on"}
    )
    pack = RulePack.objects.get(name="AMF test")
    assert response.status_code == 302
    response = client.post(reverse("review:pack", kwargs={"pk": pack.pk}), _rule_post(), follow=True)
    assert response.status_code == 200
    rule = LexiconRule.objects.get(pack=pack)
    assert (rule.phrase, rule.severity, rule.active) == ("sans risque", "block", True)
    assert RulePack.objects.get(pk=pack.pk).version == pack.version + 1
    assert [payload["change"] for _event, payload in archived] == ["pack_created", "rule_created"]


def test_an_empty_phrase_is_refused_with_a_clear_message(test_pack, compliance_officer, client_for):
    response = client_for(compliance_officer).post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}), _rule_post(**{"rule-phrase": "   "})
    )
    assert response.status_code == 200
    assert "Enter the phrase to look for." in response.content.decode()
    assert test_pack.rules.count() == 2


def test_a_phrase_already_in_the_pack_is_refused_whatever_its_case(test_pack, compliance_officer, client_for):
    response = client_for(compliance_officer).post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}),
        _rule_post(**{"rule-phrase": "Rendement  MIROBOLANT"}),
    )
    assert "This pack already has a rule for" in response.content.decode()
    assert test_pack.rules.count() == 2


def test_an_unknown_severity_is_refused_with_a_clear_message(test_pack, compliance_officer, client_for):
    response = client_for(compliance_officer).post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}), _rule_post(**{"rule-severity": "catastrophic"})
    )
    assert "Choose a severity: block, warn or needs a disclosure." in response.content.decode()
    assert test_pack.rules.count() == 2


def test_a_missing_explanation_is_refused(test_pack, compliance_officer, client_for):
    response = client_for(compliance_officer).post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}), _rule_post(**{"rule-explanation": ""})
    )
    assert "Explain to the author why this phrase is a problem." in response.content.decode()


def test_editing_a_rule_saves_it_and_moves_the_pack_version_on(test_pack, compliance_officer, client_for):
    rule = test_pack.rules.get(phrase="dernière chance")
    url = reverse("review:rule_edit", kwargs={"pk": test_pack.pk, "rule_pk": rule.pk})
    client = client_for(compliance_officer)
    assert client.get(url).status_code == 200
    data = {
        "phrase": "dernière chance",
        "language": "fr",
        "jurisdiction": "FR",
        "severity": "block",
        "explanation": "Urgence artificielle.",
        "suggestion": "",
        "active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.severity == "block"
    assert RulePack.objects.get(pk=test_pack.pk).version == test_pack.version + 1


def test_renaming_a_rule_to_the_phrase_of_another_is_refused(test_pack, compliance_officer, client_for):
    rule = test_pack.rules.get(phrase="dernière chance")
    url = reverse("review:rule_edit", kwargs={"pk": test_pack.pk, "rule_pk": rule.pk})
    data = {"phrase": "rendement mirobolant", "language": "fr", "severity": "warn", "explanation": "x"}
    response = client_for(compliance_officer).post(url, data)
    assert response.status_code == 200
    assert "This pack already has a rule for" in response.content.decode()


def test_deactivating_a_rule_keeps_it_but_inactive(test_pack, compliance_officer, client_for):
    rule = test_pack.rules.get(phrase="dernière chance")
    url = reverse("review:rule_deactivate", kwargs={"pk": test_pack.pk, "rule_pk": rule.pk})
    assert client_for(compliance_officer).post(url).status_code == 302
    rule.refresh_from_db()
    assert rule.active is False


def test_a_rule_of_another_pack_is_not_found_through_this_pack(test_pack, compliance_officer, client_for):
    other = RulePack.objects.create(name="Other pack")
    rule = test_pack.rules.first()
    url = reverse("review:rule_edit", kwargs={"pk": other.pk, "rule_pk": rule.pk})
    assert client_for(compliance_officer).get(url).status_code == 404


def test_rule_explanations_and_phrases_are_rendered_escaped(test_pack, compliance_officer, client_for):
    client = client_for(compliance_officer)
    client.post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}),
        _rule_post(
            **{"rule-phrase": "<script>alert(1)</script>", "rule-explanation": "<img src=x onerror=alert(2)>"}
        ),
    )
    page = client.get(reverse("review:pack", kwargs={"pk": test_pack.pk})).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_marketing_may_not_edit_rule_packs(marketer, client_for, test_pack):
    assert client_for(marketer).get(reverse("review:packs")).status_code == 403


def test_a_phrase_the_pack_already_matches_after_folding_is_refused(
    test_pack, compliance_officer, client_for
):
    response = client_for(compliance_officer).post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}),
        _rule_post(**{"rule-phrase": "Dernières-Chances"}),
    )
    assert "This pack already has a rule for “dernière chance”" in response.content.decode()


def test_a_phrase_without_letters_or_digits_is_refused(test_pack, compliance_officer, client_for):
    response = client_for(compliance_officer).post(
        reverse("review:pack", kwargs={"pk": test_pack.pk}), _rule_post(**{"rule-phrase": "!!! 🙂"})
    )
    assert "This phrase has no letter or digit: it could never match." in response.content.decode()
