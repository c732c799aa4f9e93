"""Untrusted text is rendered escaped, guidance is sanitised, and compliance gets one batched digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advocacy.content import notifications, services, workflow
from advocacy.content.models import Origin
from advocacy.content.sanitise import sanitise_guidance

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_xss_in_every_text_field_is_rendered_escaped(
    write_library_item, write_draft, approve, adviser, compliance_officer, client_for
):
    item = approve(write_library_item(title=PAYLOAD, text="Texte sûr & propre.", guidance_html=PAYLOAD))
    draft = write_draft(title=PAYLOAD)
    workflow.request_changes(
        version=workflow.submit_for_review(version=draft.current_version, actor=adviser),
        reviewer=compliance_officer,
        comment=PAYLOAD,
    )
    client = client_for(adviser)
    pages = [
        client.get(reverse("content:library")),
        client.get(reverse("content:item_detail", kwargs={"pk": item.pk})),
        client.get(reverse("content:my_drafts")),
        client.get(reverse("content:draft_edit", kwargs={"pk": draft.pk})),
        client.get(reverse("portal:home")),
        client_for(compliance_officer).get(reverse("content:item_detail", kwargs={"pk": draft.pk})),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in pages[2].content.decode()


@pytest.mark.parametrize("field", ["text", "disclosure", "label"])
def test_tags_are_refused_in_the_words_of_a_post(marketer, field):
    from django.core.exceptions import ValidationError

    fields = {
        "title": "t",
        "category": "corporate",
        "language": "fr",
        "text": "Un texte sûr.",
        field: PAYLOAD,
    }
    with pytest.raises(ValidationError) as refused:
        services.create_item(actor=marketer, origin=Origin.LIBRARY, **fields)
    assert field in refused.value.message_dict


def test_guidance_keeps_simple_formatting_and_drops_everything_else():
    html = sanitise_guidance(
        '<p onclick="x()">Dites <strong>bonjour</strong> <em>poliment</em></p><ul><li>un</li></ul>'
        '<a href="https://www.banque-exemple.fr" target="_blank">site</a><a href="javascript:alert(1)">x</a>'
        '<blockquote>citation</blockquote><iframe src="https://evil"></iframe><style>p{}</style>'
        "<script>alert(1)</script><h1>titre</h1>"
    )
    assert "<p>Dites <strong>bonjour</strong> <em>poliment</em></p><ul><li>un</li></ul>" in html
    assert '<a href="https://www.banque-exemple.fr" rel="noopener noreferrer">site</a>' in html
    assert "javascript" not in html and "onclick" not in html and "target" not in html
    assert "<blockquote>citation</blockquote>" in html
    for gone in ("<iframe", "<style", "p{}", "<script", "alert(1)", "<h1>"):
        assert gone not in html
    assert "titre" in html


def test_guidance_is_sanitised_when_saved(write_library_item):
    item = write_library_item(guidance_html='<p>Ok</p><script>alert(1)</script><a href="https://a.fr">a</a>')
    assert item.guidance_html == '<p>Ok</p><a href="https://a.fr" rel="noopener noreferrer">a</a>'


def test_compliance_gets_one_batched_digest_of_new_submissions(
    write_draft, make_staff, compliance_officer, compliance_officer2
):
    adviser_b = make_staff("adviser", branch="arras")
    notifications.send_submission_digest(now=timezone.now() - timedelta(seconds=1))  # opens the window
    mail.outbox.clear()
    for author in (None, adviser_b):
        item = write_draft(actor=author) if author else write_draft()
        workflow.submit_for_review(version=item.current_version, actor=item.author)
    sent = notifications.send_submission_digest(now=timezone.now() + timedelta(seconds=1))
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [compliance_officer.email, compliance_officer2.email]
    )
    english = next(m for m in mail.outbox if m.to == [compliance_officer2.email])
    assert "2 new submissions to review" in english.subject
    assert english.body.count("Mon conseil") == 2
    mail.outbox.clear()
    assert notifications.send_submission_digest(now=timezone.now() + timedelta(seconds=2)) == 0
    assert not mail.outbox
