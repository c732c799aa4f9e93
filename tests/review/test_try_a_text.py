"""Try a text: every check runs live; the partial returns the highlighted text, findings, weighted count."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_page_wires_the_text_to_the_live_partial(compliance_officer, client_for):
    page = client_for(compliance_officer).get(reverse("review:try_text")).content.decode()
    assert 'hx-trigger="keyup changed delay:300ms"' in page
    assert f'hx-post="{reverse("review:try_text_check")}"' in page


def test_the_partial_highlights_findings_and_counts_weighted_characters(test_pack, marketer, client_for):
    response = client_for(marketer).post(
        reverse("review:try_text_check"),
        {"text": "Un rendement mirobolant !", "language": "fr", "category": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="finding-block" data-finding="1">rendement mirobolant</mark>' in html
    assert "Promesse de rendement interdite." in html
    assert "rendement potentiel" in html
    assert "/ 280" in html


def test_the_partial_escapes_what_was_typed(test_pack, compliance_officer, client_for):
    payload = '<script>alert("x")</script> rendement mirobolant <b onmouseover=alert(1)>'
    html = (
        client_for(compliance_officer)
        .post(reverse("review:try_text_check"), {"text": payload, "language": "fr"})
        .content.decode()
    )
    assert "<script>" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;" in html


def test_the_page_works_without_javascript(test_pack, compliance_officer, client_for):
    html = (
        client_for(compliance_officer)
        .get(reverse("review:try_text"), {"text": "dernière chance", "language": "fr"})
        .content.decode()
    )
    assert '<mark class="finding-warn"' in html


def test_advisers_may_not_use_the_try_a_text_page(adviser, client_for):
    assert client_for(adviser).post(reverse("review:try_text_check"), {"text": "x"}).status_code == 403


def test_the_check_button_shows_a_blocking_finding_without_javascript(test_pack, marketer, client_for):
    """The form is a plain GET: with no script to post the partial, the page itself carries the findings.
    A blocked text used to show "Press Check" again, because a blocked report is falsy."""
    page = client_for(marketer).get(reverse("review:try_text"))
    assert '<form method="get" action="{}">'.format(reverse("review:try_text")) in page.content.decode()

    html = (
        client_for(marketer)
        .get(reverse("review:try_text"), {"text": "Un rendement mirobolant !", "language": "fr"})
        .content.decode()
    )

    assert "Blocked: fix the blocking findings" in html
    assert '<mark class="finding-block" data-finding="1">rendement mirobolant</mark>' in html
    assert "Promesse de rendement interdite." in html
    assert "Press Check to see the findings." not in html


def test_the_check_button_says_when_a_text_has_no_finding(test_pack, marketer, client_for):
    html = (
        client_for(marketer)
        .get(reverse("review:try_text"), {"text": "Bonne journée à tous", "language": "fr", "category": ""})
        .content.decode()
    )
    assert "No finding" in html
    assert "Press Check to see the findings." not in html
