"""Job offers (issue 15, items 1-2): HR writes them in the library editor, for the recruitment category only;
they carry the ATS's reference, a place, a contract type and a closing date (the item expires then); they go
through the automatic checks and four-eyes review, by compliance or, where compliance settings allow it, by
an HR reviewer; every decision is archived. Everything through the real pages and services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from advocacy.content import selectors, services, workflow
from advocacy.content.models import (
    ComplianceSettings,
    ContentItem,
    ContentVersion,
    ItemStatus,
    JobOffer,
    Origin,
)
from advocacy.org.models import Role
from compliance.archive.models import ArchiveRecord

from .conftest import ALLOWED_DOMAIN

pytestmark = pytest.mark.django_db

APPLY_URL = f"https://carrieres.{ALLOWED_DOMAIN}/offres/REQ-101"


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _offer_form(**overrides) -> dict:
    data = {
        "title": "Conseiller clientèle à Lille",
        "category": "recruitment",
        "language": "fr",
        "text": "Nous recrutons un conseiller clientèle à Lille : rejoignez-nous !",
        "link_url": APPLY_URL,
        "job_reference": "REQ-101",
        "place": "LIL01",
        "contract_type": "permanent",
        "closes_on": _in_days(30).isoformat(),
        "disclosure": "",
        "label": "",
        "guidance_html": "",
        "image_alt": "",
        "audience_whole_bank": "on",
        "valid_from": "",
        "expires_at": "",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "20",
        "variants-0-text": "",
        "variants-1-text": "",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def write_offer(hr):
    def write(actor=None, **fields):
        defaults = {
            "title": "Conseiller clientèle à Lille",
            "category": "recruitment",
            "language": "fr",
            "text": "Nous recrutons un conseiller clientèle à Lille : rejoignez-nous !",
            "link_url": APPLY_URL,
            "job_reference": "REQ-101",
            "place": "Lille",
            "contract_type": "permanent",
            "closes_on": _in_days(30),
            "variants": [],
        }
        return services.create_item(actor=actor or hr, origin=Origin.LIBRARY, **{**defaults, **fields})

    return write


@pytest.fixture
def hr_reviewer(make_staff):
    return make_staff(Role.HR_REVIEWER, branch=None, first_name="Inès")


@pytest.fixture
def hr_reviewer2(make_staff):
    return make_staff(Role.HR_REVIEWER, Role.HR, branch=None, first_name="Paul")


@pytest.fixture
def hr_reviews_job_offers(db):
    row = ComplianceSettings.current()
    row.reviewers_by_category = {"recruitment": ["hr_reviewer"]}
    row.full_clean()
    row.save()
    return row


# --- Authoring -----------------------------------------------------------------------------------------
def test_hr_writes_a_job_offer_in_the_library_editor(hr, org, client_for):
    response = client_for(hr).post(reverse("content:item_new"), _offer_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ContentItem.objects.get(origin=Origin.LIBRARY)
    offer = item.job_offer
    assert (offer.job_reference, offer.place, offer.branch, offer.contract_type, offer.closes_on) == (
        "REQ-101",
        "LIL01",
        org["lille"],
        "permanent",
        _in_days(30),
    )
    assert offer.apply_url == APPLY_URL == item.current_version.link_url
    # The offer expires like any content: at the end of its closing day, in the bank's time zone.
    assert timezone.localtime(item.expires_at) == timezone.make_aware(
        dt.datetime.combine(_in_days(31), dt.time.min)
    )
    created = ArchiveRecord.objects.get(event_type="content.created")
    assert created.actor_id == hr.pk
    assert created.payload["job_offer"]["job_reference"] == "REQ-101"
    page = client_for(hr).get(reverse("content:item_detail", args=[item.pk])).content.decode()
    assert "REQ-101" in page and "Permanent (CDI)" in page and APPLY_URL in page


def test_the_editor_shows_the_job_fields_for_the_recruitment_category(hr, marketer, client_for):
    page = client_for(hr).get(reverse("content:item_new")).content.decode()
    assert 'data-show-for-category="recruitment"' in page and 'name="job_reference"' in page
    # HR's category list holds job offers only; marketing's every category.
    assert 'value="market_news"' not in page and 'value="recruitment"' in page
    assert 'value="market_news"' in client_for(marketer).get(reverse("content:item_new")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"closes_on": "2001-01-01"}, "closes_on", "The closing date is in the past"),
        (
            {"link_url": "https://jobs.elsewhere.example/REQ-101"},
            "link_url",
            f"Links may only point to {ALLOWED_DOMAIN}",
        ),
        ({"link_url": ""}, "link_url", "A job offer needs its apply link"),
        ({"job_reference": ""}, "job_reference", "Give the job reference"),
        ({"place": ""}, "place", "Say where the job is"),
        ({"contract_type": ""}, "contract_type", "Choose the type of contract"),
        ({"closes_on": ""}, "closes_on", "Give the closing date"),
        ({"valid_from": "2099-01-01T10:00"}, "closes_on", "The offer must close after it becomes valid"),
    ],
)
def test_bad_job_offer_input_is_refused_with_a_message_and_nothing_lost(
    hr, client_for, overrides, field, message
):
    response = client_for(hr).post(reverse("content:item_new"), _offer_form(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert response.context["form"].errors[field]
    assert not ContentItem.objects.exists() and not JobOffer.objects.exists()
    # What the author typed is still in the form.
    assert "Nous recrutons un conseiller clientèle à Lille" in page
    if field != "job_reference":
        assert 'value="REQ-101"' in page


def test_a_job_reference_already_used_by_another_offer_is_refused(write_offer, hr, client_for):
    write_offer(job_reference="REQ-101")
    response = client_for(hr).post(reverse("content:item_new"), _offer_form(job_reference="req-101"))
    assert response.status_code == 400
    assert "Another job offer already has the reference req-101" in response.content.decode()
    assert JobOffer.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        write_offer(job_reference="REQ-101", title="Doublon")
    assert "job_reference" in refused.value.message_dict


def test_job_fields_sent_with_another_category_are_ignored(marketer, client_for):
    response = client_for(marketer).post(
        reverse("content:item_new"), _offer_form(category="corporate", closes_on="2001-01-01")
    )
    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert item.expires_at is None and not JobOffer.objects.exists()


def test_editing_a_job_offer_makes_a_new_version_and_moves_its_expiry(write_offer, approve, hr, client_for):
    item = approve(write_offer())
    assert item.status == ItemStatus.APPROVED
    response = client_for(hr).post(
        reverse("content:item_edit", args=[item.pk]),
        _offer_form(job_reference="REQ-101", place="Lille", closes_on=_in_days(60).isoformat()),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.current_version.number == 2
    assert item.job_offer.closes_on == _in_days(60)
    assert timezone.localtime(item.expires_at).date() == _in_days(61)
    edited = ArchiveRecord.objects.get(event_type="content.edited")
    assert "closes_on" in edited.payload["changed"] and "expires_at" in edited.payload["changed"]
    # A job offer stays a job offer: its shares and applications are attributed through it.
    response = client_for(hr).post(
        reverse("content:item_edit", args=[item.pk]), _offer_form(category="event")
    )
    assert response.status_code == 400
    assert JobOffer.objects.filter(item=item).exists()


def test_a_job_offer_expires_when_it_closes(write_offer, approve):
    item = approve(write_offer())
    assert services.expire_due_items() == []
    # The closing day has passed (rows moved back in time, as the calendar would).
    ContentItem.objects.filter(pk=item.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.expire_due_items() == [item.pk]
    item.refresh_from_db()
    assert item.status == ItemStatus.EXPIRED
    assert ArchiveRecord.objects.filter(event_type="content.expired").count() == 1
    assert list(selectors.job_offers(live=True)) == []
    assert [o.item_id for o in selectors.job_offers(statuses=[ItemStatus.EXPIRED])] == [item.pk]


# --- HR writes job offers, and nothing else --------------------------------------------------------------
def test_hr_may_not_write_or_edit_other_categories(hr, write_library_item, client_for):
    response = client_for(hr).post(reverse("content:item_new"), _offer_form(category="market_news"))
    assert response.status_code == 400
    assert not ContentItem.objects.exists()
    with pytest.raises(workflow.NotAllowed):
        services.create_item(
            actor=hr, origin=Origin.LIBRARY, title="x", category="product", language="fr", text="Un texte."
        )
    news = write_library_item()
    assert client_for(hr).get(reverse("content:item_edit", args=[news.pk])).status_code == 404
    with pytest.raises(workflow.NotAllowed):
        services.edit_item(item=news, actor=hr, text="Autre texte.")
    assert "Taux immobiliers" not in client_for(hr).get(reverse("content:authoring")).content.decode()


def test_hr_may_not_turn_its_job_offer_into_another_category(write_offer, hr):
    item = write_offer()
    with pytest.raises(workflow.NotAllowed):
        services.edit_item(item=item, actor=hr, category="corporate")


@pytest.mark.parametrize(
    ("route", "on", "allowed"),
    [
        # (URL name, object: "offer" / "news" / None, roles that get the page)
        ("content:authoring", None, {Role.COMPLIANCE, Role.MARKETING, Role.HR}),
        ("content:item_new", None, {Role.COMPLIANCE, Role.MARKETING, Role.HR}),
        ("content:item_edit", "offer", {Role.COMPLIANCE, Role.MARKETING, Role.HR}),
        ("content:item_edit", "news", {Role.COMPLIANCE, Role.MARKETING}),
        ("content:item_detail", "offer", {Role.COMPLIANCE, Role.MARKETING, Role.HR, Role.HR_REVIEWER}),
        ("content:item_detail", "news", {Role.COMPLIANCE, Role.MARKETING}),
        ("content:new", None, {Role.ADVISER, Role.COMPLIANCE, Role.MARKETING, Role.HR}),
        ("content:library", None, set(Role.values)),
        ("review:queue", None, {Role.COMPLIANCE, Role.HR_REVIEWER}),
        ("xnetwork:connection", None, set(Role.values)),
        ("shares:my_shares", None, set(Role.values)),
        # HR never sees clients.
        ("clients:list", None, {Role.ADVISER}),
        ("clients:scope", None, {Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN}),
        ("clients:imports", None, {Role.BRANCH_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN}),
    ],
)
def test_url_by_role_matrix_for_job_offer_routes(
    personas, hr_reviewer, write_offer, write_library_item, client_for, route, on, allowed
):
    people = {
        **{role: personas[role] for role in personas if role != "adviser2"},
        Role.HR_REVIEWER: hr_reviewer,
    }
    objects = {"offer": write_offer(), "news": write_library_item()}
    url = reverse(route, args=[objects[on].pk]) if on else reverse(route)
    got = {}
    for role, person in people.items():
        status = client_for(person).get(url).status_code
        got[role] = status
    expected_ok = {role for role in people if role in allowed}
    # "New content" answers with a redirect to the right editor.
    assert {role for role, status in got.items() if status in (200, 302)} == expected_ok, got
    assert all(status in (403, 404) for role, status in got.items() if role not in expected_ok), got


# --- Review: four eyes, by compliance or an HR reviewer --------------------------------------------------
def _submit(item, actor):
    return workflow.submit_for_review(version=item.current_version, actor=actor)


def test_an_hr_reviewer_approves_a_job_offer_when_compliance_allows_it(
    write_offer, hr, hr_reviewer, hr_reviews_job_offers, client_for, compliance_officer
):
    item = write_offer()
    version = _submit(item, hr)
    client = client_for(hr_reviewer)
    queue = client.get(reverse("review:queue"))
    assert queue.status_code == 200 and item.title in queue.content.decode()
    page = client.get(reverse("review:review", args=[version.pk])).content.decode()
    assert "REQ-101" in page and APPLY_URL in page
    response = client.post(
        reverse("review:decide", args=[version.pk]), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    approved = ArchiveRecord.objects.get(event_type="review.approved")
    assert approved.actor_id == hr_reviewer.pk and approved.payload["item"] == item.pk
    assert item.decisions.get().reviewer == hr_reviewer


def test_an_hr_reviewer_never_reviews_its_own_job_offer_nor_other_categories(
    write_offer, write_library_item, hr_reviewer2, hr_reviews_job_offers, marketer, client_for
):
    own = write_offer(actor=hr_reviewer2)
    own_version = _submit(own, hr_reviewer2)
    news = write_library_item()
    news_version = _submit(news, marketer)
    assert list(workflow_reviewable(hr_reviewer2)) == []
    with pytest.raises(workflow.FourEyesViolation) as wrote_it:
        workflow.approve_version(version=own_version, reviewer=hr_reviewer2)
    # An HR reviewer is not sent to "another compliance officer": any other reviewer of job offers may decide.
    assert (
        str(wrote_it.value)
        == "You wrote or edited this content: another reviewer must decide on it (four eyes)."
    )
    client = client_for(hr_reviewer2)
    page = client.get(reverse("review:review", args=[own_version.pk])).content.decode()
    assert "another reviewer must decide on it (four eyes)" in page and "compliance officer" not in page
    refused = client.post(reverse("review:decide", args=[own_version.pk]), {"decision": "approve"})
    assert refused.status_code == 302
    assert ContentItem.objects.get(pk=own.pk).status == ItemStatus.SUBMITTED
    # Market news is compliance's: the HR reviewer cannot even open it.
    assert client.get(reverse("review:review", args=[news_version.pk])).status_code == 404
    with pytest.raises(workflow.NotAllowed):
        workflow.approve_version(version=news_version, reviewer=hr_reviewer2)
    assert not ArchiveRecord.objects.filter(event_type="review.approved").exists()


def test_an_hr_reviewer_who_approved_once_is_told_a_second_reviewer_must_decide(
    write_offer, hr, hr_reviewer, hr_reviews_job_offers, settings
):
    settings.REVIEW_TWO_APPROVER_CATEGORIES = ["recruitment"]
    item = write_offer()
    version = _submit(item, hr)
    workflow.approve_version(version=version, reviewer=hr_reviewer)
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.SUBMITTED  # one approval of two
    with pytest.raises(workflow.FourEyesViolation) as twice:
        workflow.approve_version(version=ContentVersion.objects.get(pk=version.pk), reviewer=hr_reviewer)
    assert str(twice.value) == "You already approved this version: a second, different reviewer must decide."
    with translation.override("fr"), pytest.raises(workflow.FourEyesViolation) as in_french:
        workflow.approve_version(version=ContentVersion.objects.get(pk=version.pk), reviewer=hr_reviewer)
    assert str(in_french.value).startswith(
        "Vous avez déjà approuvé cette version : une seconde personne habilitée"
    )


def workflow_reviewable(user):
    from advocacy.content.policies import versions_reviewable_by

    return versions_reviewable_by(user)


def test_without_the_setting_job_offers_are_reviewed_by_compliance_only(
    write_offer, hr, hr_reviewer, compliance_officer, client_for
):
    item = write_offer()
    version = _submit(item, hr)
    assert list(workflow_reviewable(hr_reviewer)) == []
    assert client_for(hr_reviewer).get(reverse("review:review", args=[version.pk])).status_code == 404
    assert [v.pk for v in workflow_reviewable(compliance_officer)] == [version.pk]
    workflow.approve_version(version=version, reviewer=compliance_officer)
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.APPROVED


def test_the_automatic_checks_apply_to_job_offers(write_offer, hr):
    item = write_offer(text="Un poste au rendement garanti : postulez !")
    with pytest.raises(workflow.BlockingFindings):
        _submit(item, hr)
    assert ContentItem.objects.get(pk=item.pk).status == ItemStatus.DRAFT


def test_the_reviewer_setting_refuses_roles_a_category_does_not_allow(db):
    row = ComplianceSettings.current()
    row.reviewers_by_category = {"market_news": ["hr_reviewer"]}
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "hr_reviewer may not review market_news" in str(refused.value)
    row.reviewers_by_category = {"recruitment": ["hr_reviewer", "marketing"]}
    with pytest.raises(ValidationError):
        row.full_clean()
    # Forced in anyway, it is ignored: compliance officers only.
    assert row.reviewer_roles("market_news") == {"compliance"}
    row.reviewers_by_category = {"recruitment": ["hr_reviewer"]}
    row.full_clean()
    assert row.reviewer_roles("recruitment") == {"compliance", "hr_reviewer"}


# --- The library shows job offers to everyone in their audience ------------------------------------------
def test_the_library_shows_job_offers_to_every_member_of_staff_in_the_audience(
    personas, write_offer, write_library_item, approve, client_for
):
    offer = approve(write_offer())
    news = approve(write_library_item())
    for role in (Role.HR, Role.MARKETING, Role.BRANCH_MANAGER, Role.COMPLIANCE, Role.ADMIN, Role.ADVISER):
        page = client_for(personas[role]).get(reverse("content:library")).content.decode()
        assert offer.title in page and "REQ-101" in page, role
        assert (news.title in page) == (role == Role.ADVISER), role
    # An offer for the South region only is not in a Lille adviser's library.
    south = approve(write_offer(job_reference="REQ-202", title="Chargé accueil à Nice", place="Nice"))
    south.audience_whole_bank = False
    south.save(update_fields=["audience_whole_bank"])
    south.audience_regions.set([personas["adviser2"].staff.branch.region])
    assert (
        south.title not in client_for(personas[Role.ADVISER]).get(reverse("content:library")).content.decode()
    )
    assert south.title in client_for(personas["adviser2"]).get(reverse("content:library")).content.decode()


def test_the_library_page_costs_the_same_queries_whatever_the_number_of_offers(
    hr, write_offer, approve, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approve(write_offer())
    client = client_for(hr)
    client.get(reverse("content:library"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("content:library"))
    for n in range(2, 6):
        approve(
            write_offer(job_reference=f"REQ-{n}", title=f"Offre {n}", text=f"Offre numéro {n} : postulez !")
        )
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("content:library"))
    assert page.content.decode().count("REQ-") >= 5
    assert len(five) == len(one)


def test_hr_reviewers_get_the_digest_of_the_job_offers_they_review(
    write_offer, write_library_item, hr, hr_reviewer, marketer, compliance_officer, hr_reviews_job_offers
):
    from django.core import mail

    from advocacy.content import notifications

    notifications.send_submission_digest(now=timezone.now() - dt.timedelta(seconds=1))  # opens the window
    mail.outbox.clear()
    _submit(write_offer(), hr)
    _submit(write_library_item(), marketer)
    assert notifications.send_submission_digest(now=timezone.now() + dt.timedelta(seconds=1)) == 2
    to_hr = next(m for m in mail.outbox if m.to == [hr_reviewer.email])
    assert "Conseiller clientèle à Lille" in to_hr.body and "Taux immobiliers" not in to_hr.body
    to_compliance = next(m for m in mail.outbox if m.to == [compliance_officer.email])
    assert "Conseiller clientèle à Lille" in to_compliance.body and "Taux immobiliers" in to_compliance.body
