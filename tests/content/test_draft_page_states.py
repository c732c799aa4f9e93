"""The draft page shows the state where the author acts: a form while the draft is being written, the draft
read-only with what comes next once it is submitted or approved, and the reviewer's comment on top."""

from __future__ import annotations

from django.urls import reverse

from advocacy.content import workflow


def _page(client, item, **params) -> str:
    return client.get(reverse("content:draft_edit", args=[item.pk]), params).content.decode()


def test_a_submitted_draft_is_shown_read_only_until_its_author_asks_to_change_it(
    write_draft, adviser, client_for
):
    item = write_draft()
    client = client_for(adviser)
    assert "Save and submit for review" in _page(client, item)
    workflow.submit_for_review(version=item.current_version, actor=adviser)
    page = _page(client, item)
    assert "Waiting for review" in page and "Save and submit for review" not in page
    assert "<textarea" not in page and "?change=1" in page
    changing = _page(client, item, change="1")
    assert "<textarea" in changing and "withdraws this draft from review" in changing


def test_an_approved_draft_says_it_is_ready_to_share_and_that_a_change_needs_a_new_approval(
    write_draft, approve, adviser, client_for
):
    item = approve(write_draft())
    client = client_for(adviser)
    page = _page(client, item)
    assert "Approved: ready to share" in page and "<textarea" not in page
    assert "Change it (needs a new approval)" in page
    assert "must be approved before it can be shared" in _page(client, item, change="1")


def test_the_reviewers_comment_sits_at_the_top_of_the_draft_it_concerns(
    write_draft, adviser, compliance_officer, client_for
):
    item = write_draft()
    version = workflow.submit_for_review(version=item.current_version, actor=adviser)
    workflow.request_changes(version=version, reviewer=compliance_officer, comment="Citez votre source.")
    page = _page(client_for(adviser), item)
    top, form = page.index('class="card feedback"'), page.index('<form method="post" class="card"')
    assert top < page.index("Citez votre source.") < form
    assert "<textarea" in page  # changes requested: the author writes again


def test_another_adviser_cannot_open_the_draft(write_draft, adviser2, client_for):
    item = write_draft()
    response = client_for(adviser2).get(reverse("content:draft_edit", args=[item.pk]), {"change": "1"})
    assert response.status_code == 404
