"""The review workflow: every allowed and refused transition, four eyes, two approvers, version pinning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from advocacy.content import policies, services, workflow
from advocacy.content.models import (
    ApprovedText,
    ContentItem,
    ContentVersion,
    ImmutableError,
    ItemStatus,
    ReviewDecision,
    VersionStatus,
)
from advocacy.content.workflow import (
    BlockingFindings,
    FindingsNotAcknowledged,
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    ReasonRequired,
)
from advocacy.texts import fingerprint

pytestmark = pytest.mark.django_db


def _submit(item):
    return workflow.submit_for_review(version=item.current_version, actor=item.author)


def test_a_draft_is_submitted_with_its_findings_recorded(write_library_item):
    item = write_library_item(text="Le meilleur taux de la région, parlons-en.")
    version = _submit(item)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    assert version.status == VersionStatus.SUBMITTED and version.submitted_at
    (entry,) = version.findings.values()
    assert entry["text"].startswith("Le meilleur taux")
    assert [f["severity"] for f in entry["findings"]] == ["warn"]


def test_a_blocking_finding_refuses_submission_and_keeps_the_draft(write_library_item):
    item = write_library_item(text="Rendement garanti sur votre épargne !")
    with pytest.raises(BlockingFindings) as refused:
        _submit(item)
    assert refused.value.findings[0]["matched"].lower() == "garanti"
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert item.current_version.status == VersionStatus.DRAFT


def test_approval_records_the_fingerprint_of_every_publishable_text(write_library_item, compliance_officer):
    item = write_library_item(variants=["Taux en baisse : le bon moment pour un projet ?"])
    version = _submit(item)
    decision = workflow.approve_version(version=version, reviewer=compliance_officer)
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED and item.approved_at
    texts = list(ApprovedText.objects.filter(version=version))
    assert len(texts) == 2
    assert sorted(decision.fingerprints) == sorted(t.fingerprint for t in texts)
    assert all(t.fingerprint == fingerprint(t.text) for t in texts)


def test_warnings_must_be_acknowledged_before_approval(write_library_item, compliance_officer):
    item = write_library_item(text="Le meilleur taux de la région, parlons-en.")
    version = _submit(item)
    with pytest.raises(FindingsNotAcknowledged) as refused:
        workflow.approve_version(version=version, reviewer=compliance_officer)
    assert len(refused.value.missing) == 1
    workflow.approve_version(
        version=version, reviewer=compliance_officer, acknowledged_finding_ids=refused.value.missing
    )
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.APPROVED


def test_the_author_cannot_approve_their_own_content(make_staff, write_library_item):
    author = make_staff("compliance", branch=None)
    item = write_library_item(actor=author)
    version = _submit(item)
    with pytest.raises(FourEyesViolation):
        workflow.approve_version(version=version, reviewer=author)
    assert not policies.can_review(author, version)
    assert version not in policies.versions_reviewable_by(author)


def test_someone_who_edited_the_content_cannot_approve_it(
    make_staff, write_library_item, compliance_officer2
):
    editor = make_staff("compliance", branch=None)
    item = write_library_item()
    services.edit_item(item=item, actor=editor, text="Les taux baissent : prenons rendez-vous.")
    item.refresh_from_db()
    version = workflow.submit_for_review(version=item.current_version, actor=item.author)
    with pytest.raises(FourEyesViolation):
        workflow.approve_version(version=version, reviewer=editor)
    with pytest.raises(FourEyesViolation):
        workflow.request_changes(version=version, reviewer=editor, comment="Plus court.")
    workflow.approve_version(version=version, reviewer=compliance_officer2)


def test_an_adviser_or_marketer_cannot_approve(write_draft, marketer, adviser2):
    item = write_draft()
    version = _submit(item)
    for person in (marketer, adviser2):
        with pytest.raises(NotAllowed):
            workflow.approve_version(version=version, reviewer=person)


def test_a_product_needs_two_distinct_approvers(write_library_item, compliance_officer, compliance_officer2):
    item = write_library_item(category="product", text="Notre livret : épargnez à votre rythme.")
    version = _submit(item)
    first = workflow.approve_version(version=version, reviewer=compliance_officer)
    item.refresh_from_db()
    assert not first.final and item.status == ItemStatus.SUBMITTED
    assert not ApprovedText.objects.filter(version=version).exists()
    with pytest.raises(FourEyesViolation):
        workflow.approve_version(version=version, reviewer=compliance_officer)
    second = workflow.approve_version(version=version, reviewer=compliance_officer2)
    item.refresh_from_db()
    assert second.final and item.status == ItemStatus.APPROVED


def test_two_approver_categories_come_from_settings(settings, write_library_item, compliance_officer):
    settings.REVIEW_TWO_APPROVER_CATEGORIES = []
    item = write_library_item(category="product", text="Notre livret : épargnez à votre rythme.")
    workflow.approve_version(version=_submit(item), reviewer=compliance_officer)
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.APPROVED


def test_an_approval_before_changes_were_requested_does_not_count(
    write_library_item, compliance_officer, compliance_officer2
):
    item = write_library_item(category="product", text="Notre livret : épargnez à votre rythme.")
    version = _submit(item)
    workflow.approve_version(version=version, reviewer=compliance_officer)
    workflow.request_changes(
        version=version, reviewer=compliance_officer2, comment="Ajoutez l'avertissement."
    )
    version = workflow.submit_for_review(version=version, actor=item.author)
    decision = workflow.approve_version(version=version, reviewer=compliance_officer2)
    assert not decision.final


def test_request_changes_then_edit_and_resubmit(write_draft, compliance_officer):
    item = write_draft()
    workflow.request_changes(version=_submit(item), reviewer=compliance_officer, comment="Citez la source.")
    item.refresh_from_db()
    assert item.status == ItemStatus.CHANGES_REQUESTED
    v2 = services.edit_item(item=item, actor=item.author, text="Selon l'INSEE, l'épargne progresse.")
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and v2.number == 2
    workflow.submit_for_review(version=v2, actor=item.author)
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.SUBMITTED


def test_request_changes_and_reject_need_a_comment(write_draft, compliance_officer):
    version = _submit(write_draft())
    with pytest.raises(ReasonRequired):
        workflow.request_changes(version=version, reviewer=compliance_officer, comment="  ")
    with pytest.raises(ReasonRequired):
        workflow.reject_version(version=version, reviewer=compliance_officer, reason="")
    workflow.reject_version(version=version, reviewer=compliance_officer, reason="Hors sujet.")
    assert ContentItem.objects.get(pk=version.item_id).status == ItemStatus.REJECTED


def test_rejected_content_is_final(write_draft, compliance_officer):
    item = write_draft()
    workflow.reject_version(version=_submit(item), reviewer=compliance_officer, reason="Hors sujet.")
    item.refresh_from_db()
    with pytest.raises(InvalidTransition):
        workflow.submit_for_review(version=item.current_version, actor=item.author)
    with pytest.raises(InvalidTransition):
        services.edit_item(item=item, actor=item.author, text="Autre chose.")


@pytest.mark.parametrize("action", ["approve", "request_changes", "reject"])
def test_decisions_are_refused_on_a_draft(write_draft, compliance_officer, action):
    item = write_draft()
    call = {
        "approve": lambda: workflow.approve_version(
            version=item.current_version, reviewer=compliance_officer
        ),
        "request_changes": lambda: workflow.request_changes(
            version=item.current_version, reviewer=compliance_officer, comment="x"
        ),
        "reject": lambda: workflow.reject_version(
            version=item.current_version, reviewer=compliance_officer, reason="x"
        ),
    }[action]
    with pytest.raises(InvalidTransition):
        call()


def test_an_approved_version_cannot_be_submitted_or_decided_again(
    write_library_item, approve, compliance_officer2
):
    item = approve(write_library_item())
    with pytest.raises(InvalidTransition):
        workflow.submit_for_review(version=item.current_version, actor=item.author)
    with pytest.raises(InvalidTransition):
        workflow.reject_version(version=item.current_version, reviewer=compliance_officer2, reason="x")


def test_editing_an_approved_item_needs_a_new_approval(write_library_item, approve, compliance_officer):
    item = approve(write_library_item())
    v1 = item.current_version
    v1_fingerprints = set(v1.approved_texts.values_list("fingerprint", flat=True))
    v2 = services.edit_item(item=item, actor=item.author, text="Nouveau texte sur les taux immobiliers.")
    item.refresh_from_db()
    assert v2.pk != v1.pk and v2.number == 2
    assert item.status == ItemStatus.DRAFT and item.current_version == v2
    v1.refresh_from_db()
    assert v1.status == VersionStatus.APPROVED  # its approval still covers its own text, and only that
    assert not v2.approved_texts.exists()
    from advocacy.content.selectors import publishable_texts

    assert {t.fingerprint for t in publishable_texts(v2)}.isdisjoint(v1_fingerprints)
    with pytest.raises(InvalidTransition):
        workflow.approve_version(version=v1, reviewer=compliance_officer)


def test_an_edit_that_changes_nothing_makes_no_version(write_library_item):
    item = write_library_item()
    same = services.edit_item(item=item, actor=item.author, text=item.current_version.text, title=item.title)
    assert same == item.current_version
    assert ContentVersion.objects.filter(item=item).count() == 1


def test_editing_a_submitted_item_supersedes_the_submitted_version(write_library_item, compliance_officer):
    item = write_library_item()
    v1 = _submit(item)
    services.edit_item(item=item, actor=item.author, text="Un autre texte, plus clair.")
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    with pytest.raises(InvalidTransition):
        workflow.approve_version(version=v1, reviewer=compliance_officer)


def test_a_version_never_changes_after_it_is_written(write_library_item):
    version = write_library_item().current_version
    version.text = "Autre chose"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        ContentVersion.objects.filter(pk=version.pk).update(text="Autre chose")
    version.refresh_from_db()
    assert version.text.startswith("Les taux")


def test_approved_texts_and_decisions_are_written_once(write_library_item, approve):
    item = approve(write_library_item())
    text = item.current_version.approved_texts.first()
    text.text = "changed"
    with pytest.raises(ImmutableError):
        text.save()
    decision = ReviewDecision.objects.filter(item=item).first()
    decision.comment = "changed"
    with pytest.raises(ImmutableError):
        decision.save()


def test_recall_needs_a_reason_and_a_compliance_officer(
    write_library_item, approve, compliance_officer, marketer
):
    item = approve(write_library_item())
    with pytest.raises(ReasonRequired):
        workflow.recall_item(item=item, actor=compliance_officer, reason=" ")
    with pytest.raises(NotAllowed):
        workflow.recall_item(item=item, actor=marketer, reason="Erreur de taux.")
    workflow.recall_item(item=item, actor=compliance_officer, reason="Erreur de taux.")
    item.refresh_from_db()
    assert item.status == ItemStatus.RECALLED
    with pytest.raises(InvalidTransition):
        workflow.recall_item(item=item, actor=compliance_officer, reason="Encore.")


def test_a_draft_cannot_be_recalled_or_expired(write_library_item, compliance_officer):
    item = write_library_item(expires_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(InvalidTransition):
        workflow.recall_item(item=item, actor=compliance_officer, reason="x")
    with pytest.raises(InvalidTransition):
        workflow.expire_item(item=item)


def test_expiry_is_refused_before_the_end_date(write_library_item, approve, tomorrow):
    item = approve(write_library_item(expires_at=tomorrow))
    with pytest.raises(InvalidTransition):
        workflow.expire_item(item=item)


def test_expired_content_can_still_be_recalled(write_library_item, approve, compliance_officer, tomorrow):
    item = approve(write_library_item(expires_at=tomorrow))
    ContentItem.objects.filter(pk=item.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    workflow.expire_item(item=item)
    workflow.recall_item(item=item, actor=compliance_officer, reason="Taux erroné publié.")
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.RECALLED


def test_the_author_gets_an_email_on_every_decision_in_their_language(
    write_draft, compliance_officer, django_capture_on_commit_callbacks, make_staff
):
    english = make_staff("adviser", first_name="Sam", language="en")
    item = write_draft(actor=english)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(
            version=_submit(item), reviewer=compliance_officer, comment="Shorter please."
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [english.email]
    assert "Changes requested" in mail.outbox[0].subject
    assert "Shorter please." in mail.outbox[0].body


def test_no_email_is_sent_for_a_decision_that_rolled_back(
    write_draft, compliance_officer, django_capture_on_commit_callbacks
):
    item = write_draft()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.reject_version(version=_submit(item), reviewer=compliance_officer, reason="Non.")
    assert len(callbacks) == 1 and not mail.outbox


def test_content_runs_the_checks_the_review_app_provided_and_refuses_without_them(monkeypatch):
    """Content declares the checks it needs; the review app provides them at start-up. Without a provider
    a submission must fail loudly, never pass unchecked."""
    from advocacy.content import compliance_checks as checks
    from compliance.review import checking

    assert checks._provided["run_checks"] is checking.run_checks
    monkeypatch.setattr(checks, "_provided", {})
    with pytest.raises(checks.ChecksUnavailable):
        checks.check_text("Bonjour", category=None, language="fr")
