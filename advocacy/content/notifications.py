"""E-mails about content review: the author hears of every decision, reviewers get a batched digest
(compliance officers of every submission, HR reviewers of the job offers they may review).

Called from Celery tasks, after the decision is committed; a mail server that is down costs an e-mail,
never a decision.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from advocacy.content.models import (
    Category,
    ComplianceSettings,
    ContentVersion,
    ReviewDecision,
    SubmissionDigest,
    VersionStatus,
)
from advocacy.org.models import Role, StaffProfile
from advocacy.org.selectors import users_with_role

DIGEST_FIRST_WINDOW = timedelta(minutes=15)


def _language_of(user) -> str:
    language = StaffProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


def _send(template: str, user, context: dict) -> None:
    with translation.override(_language_of(user)):
        subject = render_to_string(f"content/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"content/email/{template}_message.txt", context)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])


def send_decision_email(*, decision_id: int) -> bool:
    """Tell the item's author what was decided on their content, in their preferred language."""
    decision = (
        ReviewDecision.objects.select_related("item__author", "version", "reviewer")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or not decision.item.author.email:
        return False
    item = decision.item
    if item.origin == item.Origin.ADVISER_DRAFT:
        path = reverse("content:draft_edit", kwargs={"pk": item.pk})
    else:
        path = reverse("content:item_detail", kwargs={"pk": item.pk})
    _send(
        "decision",
        item.author,
        {
            "decision": decision,
            "item": item,
            "author": item.author,
            "url": settings.PUBLIC_BASE_URL + path,
            "bank_name": settings.RELAIS_BANK_NAME,
        },
    )
    return True


def _reviewers_and_categories():
    """(reviewer, categories they review or None for all): compliance officers, then the HR reviewers who
    are not also compliance officers, for the categories compliance settings let them review."""
    officers = list(users_with_role(Role.COMPLIANCE).exclude(email=""))
    yield from ((officer, None) for officer in officers)
    config = ComplianceSettings.current()
    hr_categories = {c for c in Category.values if Role.HR_REVIEWER in config.reviewer_roles(c)}
    if hr_categories:
        seen = {officer.pk for officer in officers}
        for reviewer in users_with_role(Role.HR_REVIEWER).exclude(email=""):
            if reviewer.pk not in seen:
                yield reviewer, hr_categories


def send_submission_digest(*, now=None) -> int:
    """One e-mail per compliance officer listing the versions submitted since the previous digest.

    Safe on two workers at once: the window is claimed with a conditional UPDATE on ``sent_up_to`` and only
    the worker whose update matched sends. Returns the number of e-mails sent.
    """
    now = now or timezone.now()
    digest, _created = SubmissionDigest.objects.get_or_create(
        pk=1, defaults={"sent_up_to": now - DIGEST_FIRST_WINDOW}
    )
    since = digest.sent_up_to
    if since >= now:
        return 0
    claimed = SubmissionDigest.objects.filter(pk=1, sent_up_to=since).update(sent_up_to=now)
    if not claimed:
        return 0
    submitted = list(
        ContentVersion.objects.filter(
            submitted_at__gt=since, submitted_at__lte=now, status=VersionStatus.SUBMITTED
        )
        .select_related("item__author", "created_by")
        .order_by("submitted_at")
    )
    if not submitted:
        return 0
    sent = 0
    for officer, categories in _reviewers_and_categories():
        mine = [
            v
            for v in submitted
            if v.created_by_id != officer.pk
            and v.item.author_id != officer.pk
            and (categories is None or v.item.category in categories)
        ]
        if not mine:
            continue
        _send(
            "digest",
            officer,
            {
                "officer": officer,
                "versions": mine,
                "since": since,
                "url": settings.PUBLIC_BASE_URL + reverse("portal:home"),
                "target_hours": settings.REVIEW_AGE_TARGET_HOURS,
                "bank_name": settings.RELAIS_BANK_NAME,
            },
        )
        sent += 1
    return sent
