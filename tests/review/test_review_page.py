"""The review page: findings highlighted in the escaped text, a diff, and the three decisions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.content.models import ContentVersion
from compliance.review import rulepacks
from tests.review.factories import submitted_version

pytestmark = pytest.mark.django_db


def _page(client, version) -> str:
    response = client.get(reverse("review:review", kwargs={"pk": version.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _decide(client, version, **data):
    return client.post(reverse("review:decide", kwargs={"pk": version.pk}), data)


def _block_after_submission(pack, officer, phrase="rendement mirobolant"):
    """Submission refuses blocking findings; a rule added afterwards makes one appear on review."""
    rule = pack.rules.get(phrase=phrase)
    rulepacks.deactivate_rule(rule=rule, actor=officer)
    return lambda: rulepacks.save_rule(pack=pack, rule=rule, actor=officer, active=True)


def test_findings_are_highlighted_with_their_explanation_and_suggestion(
    test_pack, adviser, compliance_officer, client_for
):
    reactivate = _block_after_submission(test_pack, compliance_officer)
    version = submitted_version(adviser, text="Un rendement mirobolant, dernière chance !")
    reactivate()
    html = _page(client_for(compliance_officer), version)
    assert '<mark class="finding-block" data-finding="1">rendement mirobolant</mark>' in html
    assert '<mark class="finding-warn" data-finding="2">dernière chance</mark>' in html
    assert "Promesse de rendement interdite." in html
    assert "rendement potentiel" in html


def test_text_comments_and_rule_explanations_are_rendered_escaped(
    adviser, compliance_officer, compliance_officer2, client_for
):
    pack = rulepacks.create_pack(actor=compliance_officer, name="XSS pack", language="fr")
    rulepacks.save_rule(
        pack=pack,
        actor=compliance_officer,
        phrase="piège",
        severity="warn",
        explanation="<script>alert('rule')</script>",
        suggestion="<img src=x onerror=alert(1)>",
    )
    version = submitted_version(adviser, text="<script>alert('text')</script> un piège <b>gras</b>")
    client = client_for(compliance_officer)
    _decide(client, version, decision="request_changes", comment="<script>alert('comment')</script>")
    newer = submitted_version(adviser, text="<i>nouveau</i> piège", item=version.item)
    html = _page(client_for(compliance_officer2), newer)
    first_html = _page(client, version)
    for page in (html, first_html):
        assert "<script>" not in page
        assert "<img src=x" not in page
        assert "<b>gras</b>" not in page and "<i>nouveau</i>" not in page
    assert "&lt;script&gt;alert(&#x27;rule&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;comment&#x27;)&lt;/script&gt;" in html


def test_the_page_shows_a_word_diff_against_the_previous_version(adviser, compliance_officer, client_for):
    first = submitted_version(adviser, text="Un taux de 3 % sur le livret.")
    second = submitted_version(adviser, text="Un taux de 2,5 % sur le livret.", item=first.item)
    html = _page(client_for(compliance_officer), second)
    assert "Un taux de <del>3</del> <ins>2,5</ins> % sur le livret." in html
    assert "First version: nothing to compare." in _page(client_for(compliance_officer), first)


def test_a_compliance_officer_approves_after_acknowledging_each_warning(
    test_pack, adviser, compliance_officer, client_for
):
    version = submitted_version(adviser, text="Dernière chance pour ouvrir un livret.")
    client = client_for(compliance_officer)
    response = _decide(client, version, decision="approve")
    assert response.status_code == 400
    assert "Tick every warning" in response.content.decode()
    warn_ids = [value for value, _label in response.context["warn_choices"]]
    assert len(warn_ids) == 1
    assert "Waiting 0 h" in _page(client, version)
    response = _decide(client, version, decision="approve", acknowledged=warn_ids)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "approved"
    decided = _page(client, version)  # the waiting clock is gone once decided: the item's state instead
    assert "Waiting" not in decided and ">Approved</span>" in decided


def test_a_blocking_finding_prevents_approval(test_pack, adviser, compliance_officer, client_for):
    reactivate = _block_after_submission(test_pack, compliance_officer)
    version = submitted_version(adviser, text="Un rendement mirobolant.")
    reactivate()
    response = _decide(client_for(compliance_officer), version, decision="approve")
    assert response.status_code == 400
    assert "approval is not possible" in response.content.decode()
    assert ContentVersion.objects.get(pk=version.pk).status == "submitted"


def test_requesting_changes_needs_a_comment_and_records_it(adviser, compliance_officer, client_for):
    version = submitted_version(adviser)
    client = client_for(compliance_officer)
    response = _decide(client, version, decision="request_changes", comment="")
    assert "Tell the author what to change" in response.content.decode()
    assert (
        _decide(client, version, decision="request_changes", comment="Ajoutez la mention.").status_code == 302
    )
    version.refresh_from_db()
    assert version.status == "changes_requested"
    assert version.decisions.get().comment == "Ajoutez la mention."


def test_rejecting_records_the_reason(adviser, compliance_officer, client_for):
    version = submitted_version(adviser)
    assert (
        _decide(client_for(compliance_officer), version, decision="reject", comment="Hors sujet.").status_code
        == 302
    )
    version.refresh_from_db()
    assert version.status == "rejected"


def test_a_compliance_officer_who_wrote_the_version_cannot_approve_it(compliance_officer, client_for):
    version = submitted_version(compliance_officer, text="Texte écrit par la conformité.")
    client = client_for(compliance_officer)
    html = _page(client, version)
    assert "another compliance officer must review it (four eyes)" in html
    response = _decide(client, version, decision="approve")
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "another compliance officer must review it (four eyes)" in follow
    assert ContentVersion.objects.get(pk=version.pk).status == "submitted"


def test_the_review_page_answers_404_for_a_missing_version(compliance_officer, client_for):
    assert (
        client_for(compliance_officer).get(reverse("review:review", kwargs={"pk": 999999})).status_code == 404
    )


def test_the_decision_buttons_are_labelled_and_reachable_from_the_keyboard(
    adviser, compliance_officer, client_for
):
    html = _page(client_for(compliance_officer), submitted_version(adviser))
    for accesskey, label in (("a", "Approve"), ("r", "Request changes"), ("x", "Reject")):
        assert f'accesskey="{accesskey}"' in html and f">{label}</button>" in html
