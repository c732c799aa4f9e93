"""Variants and templates: every possible text is expanded, checked and fingerprinted; advisers differ."""

from __future__ import annotations

import pytest

from advocacy.content.models import ApprovedText
from advocacy.content.selectors import publishable_texts, text_for_adviser
from advocacy.org.models import Role
from advocacy.texts import compose, fingerprint, with_tracked_link

pytestmark = pytest.mark.django_db
LINK = "https://www.banque-exemple.fr/immobilier"


def test_two_advisers_sharing_an_item_get_different_texts(write_library_item, approve, adviser, adviser2):
    item = approve(
        write_library_item(
            variants=[
                "Les taux reculent : c'est le moment d'en parler.",
                "Projet immobilier ? Les taux sont plus doux ce mois-ci.",
            ]
        )
    )
    first, second = (
        text_for_adviser(item.current_version, adviser),
        text_for_adviser(item.current_version, adviser2),
    )
    assert first is not None and second is not None
    assert first.text != second.text
    assert text_for_adviser(item.current_version, adviser) == first  # deterministic


def test_more_advisers_than_variants_reuse_texts_evenly(write_library_item, approve, make_staff):
    advisers = [make_staff(Role.ADVISER, branch="lille") for _ in range(5)]
    item = approve(write_library_item(variants=["Deuxième formulation du message."]))
    chosen = [text_for_adviser(item.current_version, a).pk for a in advisers]
    assert sorted(chosen.count(pk) for pk in set(chosen)) in ([2, 3], [3, 2])


def test_a_template_is_expanded_for_every_adviser_and_each_text_is_fingerprinted(
    write_library_item, approve, adviser, adviser2, make_staff
):
    make_staff(Role.ADVISER, branch="lille", first_name="Camille")  # same name and city as adviser: one text
    item = write_library_item(
        text="Bonjour, ici {first_name} de votre agence de {branch_city}.", link_url=LINK
    )
    version = item.current_version
    texts = publishable_texts(version)
    assert sorted(texts) == sorted(
        [
            compose("Bonjour, ici Camille de votre agence de Lille.", link_url=LINK),
            compose("Bonjour, ici Hugo de votre agence de Nice.", link_url=LINK),
        ]
    )
    assert all(t.fingerprint == fingerprint(t) for t in texts)
    item = approve(item)
    approved = ApprovedText.objects.filter(version=version)
    assert {a.fingerprint for a in approved} == {t.fingerprint for t in texts}
    assert {a.slots["first_name"] for a in approved} == {"Camille", "Hugo"}
    assert "Hugo" in text_for_adviser(version, adviser2).text
    assert "Camille" in text_for_adviser(version, adviser).text


def test_each_template_text_is_checked_at_submission(write_library_item, adviser, make_staff):
    from advocacy.content import workflow

    make_staff(Role.ADVISER, branch="nice", first_name="Garantie")  # a name that trips the lexicon
    item = write_library_item(text="Bonjour, ici {first_name} de votre agence.")
    with pytest.raises(workflow.BlockingFindings) as refused:
        workflow.submit_for_review(version=item.current_version, actor=item.author)
    assert any("Garantie" in f["text"] for f in refused.value.findings)


def test_the_link_is_the_last_line_and_is_swapped_for_the_tracked_link():
    text = compose(
        "Parlons de votre projet.", disclosure="Un crédit vous engage.", label="#PUB", link_url=LINK
    )
    assert text == f"Parlons de votre projet.\n\nUn crédit vous engage. #PUB\n{LINK}"
    assert with_tracked_link(text, link_url=LINK, tracked_url="https://relais.test/l/abc") == (
        "Parlons de votre projet.\n\nUn crédit vous engage. #PUB\nhttps://relais.test/l/abc"
    )
    with pytest.raises(ValueError):
        with_tracked_link("Sans lien", link_url=LINK, tracked_url="https://relais.test/l/abc")
