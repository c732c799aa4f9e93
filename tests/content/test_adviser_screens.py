"""The adviser's screens: library feed, my drafts, the draft editor and its refusals, the live counter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.content import services, tasks
from advocacy.content.models import ContentItem, ContentVersion, ItemStatus, Origin

pytestmark = pytest.mark.django_db


def test_an_adviser_never_sees_another_advisers_draft(write_draft, adviser2, client_for):
    item = write_draft()
    client = client_for(adviser2)
    assert client.get(reverse("content:draft_edit", kwargs={"pk": item.pk})).status_code == 404
    assert client.get(reverse("content:item_detail", kwargs={"pk": item.pk})).status_code == 404
    assert client.post(reverse("content:item_submit", kwargs={"pk": item.pk})).status_code == 404
    assert "Mon conseil" not in client.get(reverse("content:my_drafts")).content.decode()


def test_my_drafts_shows_status_and_the_reviewers_comment(
    write_draft, adviser, compliance_officer, client_for
):
    from advocacy.content import workflow

    item = write_draft()
    version = workflow.submit_for_review(version=item.current_version, actor=adviser)
    workflow.request_changes(version=version, reviewer=compliance_officer, comment="Citez votre source.")
    page = client_for(adviser).get(reverse("content:my_drafts")).content.decode()
    assert "Mon conseil" in page and "Citez votre source." in page


def test_the_feed_shows_approved_valid_content_for_my_audience_newest_first(
    write_library_item, write_draft, approve, adviser, org, client_for, tomorrow
):
    older = approve(write_library_item(title="Plus ancien"))
    newer = approve(write_library_item(title="Plus récent", category="event", text="Soirée clients jeudi."))
    write_library_item(title="Brouillon pas encore approuvé")
    elsewhere = write_library_item(
        title="Réservé au Sud", audience_whole_bank=False, audience_regions=[org["south"]]
    )
    approve(elsewhere)
    later = write_library_item(title="Pas encore valide", valid_from=tomorrow)
    approve(later)
    page = client_for(adviser).get(reverse("content:library")).content.decode()
    assert page.index("Plus récent") < page.index("Plus ancien")
    for hidden in ("Brouillon pas encore approuvé", "Réservé au Sud", "Pas encore valide"):
        assert hidden not in page
    filtered = client_for(adviser).get(reverse("content:library"), {"category": "event"}).content.decode()
    assert "Plus récent" in filtered and "Plus ancien" not in filtered
    assert older.pk and newer.pk


def test_the_feed_previews_the_post_as_it_would_appear_on_x(write_library_item, approve, adviser, client_for):
    approve(
        write_library_item(
            text="Épargne : parlons-en.",
            disclosure="Voir conditions en agence.",
            label="#PUB",
            link_url="https://www.banque-exemple.fr/epargne",
        )
    )
    page = client_for(adviser).get(reverse("content:library")).content.decode()
    assert (
        "Épargne : parlons-en.<br><br>Voir conditions en agence. #PUB<br>https://www.banque-exemple.fr/epargne"
        in page
    )
    # 21 + 2 + 31 + 1 + 23 (any link counts 23) = 78 weighted characters
    assert "78 / 280" in page


def test_expiry_by_the_beat_task_removes_content_from_the_feed(
    write_library_item, approve, adviser, client_for, tomorrow
):
    item = approve(write_library_item(title="Offre limitée", expires_at=tomorrow))
    client = client_for(adviser)
    assert "Offre limitée" in client.get(reverse("content:library")).content.decode()
    ContentItem.objects.filter(pk=item.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    tasks.expire_due_items.delay()
    item.refresh_from_db()
    assert item.status == ItemStatus.EXPIRED
    assert "Offre limitée" not in client.get(reverse("content:library")).content.decode()


def _feed_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_feed_and_my_drafts_cost_the_same_queries_for_3_or_30_items(
    write_library_item, write_draft, approve, adviser, client_for, compliance_officer
):
    from advocacy.content import workflow

    def add(n):
        for _ in range(n):
            approve(write_library_item(variants=["Une autre formulation du même message."]))
            draft = write_draft()
            workflow.request_changes(
                version=workflow.submit_for_review(version=draft.current_version, actor=adviser),
                reviewer=compliance_officer,
                comment="Précisez.",
            )

    client = client_for(adviser)
    add(3)
    few = (
        _feed_queries(client, reverse("content:library")),
        _feed_queries(client, reverse("content:my_drafts")),
    )
    add(27)
    many = (
        _feed_queries(client, reverse("content:library")),
        _feed_queries(client, reverse("content:my_drafts")),
    )
    assert few == many


def _post_draft(client, **overrides):
    data = {
        "title": "Mon post",
        "category": "market_news",
        "language": "fr",
        "text": "Un point sur l'épargne cette semaine.",
        "link_url": "",
        "action": "save",
        **overrides,
    }
    return client.post(reverse("content:draft_new"), data)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "   "}, "Write the text of the post: it is empty."),
        ({"text": "x" * 281}, "shorten it by 1"),
        ({"text": "Voir <b>ici</b> notre offre"}, "Posts on X are plain text: remove the HTML tags"),
        ({"link_url": "https://evil.example.com/promo"}, "Links may only point to banque-exemple.fr"),
    ],
    ids=["empty", "too-long", "html", "link-domain"],
)
def test_bad_drafts_are_refused_with_a_message_and_the_input_kept(adviser, client_for, overrides, message):
    response = _post_draft(client_for(adviser), **overrides)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert not ContentItem.objects.filter(author=adviser).exists()
    if overrides.get("link_url"):
        assert "evil.example.com/promo" in page


def test_a_draft_with_a_blocking_finding_is_kept_and_the_fix_is_shown(adviser, client_for):
    response = _post_draft(client_for(adviser), text="Rendement garanti, sans surprise.", action="submit")
    page = response.content.decode()
    item = ContentItem.objects.get(author=adviser)
    assert item.status == ItemStatus.DRAFT and item.current_version.text.startswith("Rendement garanti")
    assert "What to fix before submitting" in page and "finding-block" in page


def _finding_items(page: str, prefix: str = "finding") -> list[str]:
    """The text of each finding in a page's lists, whitespace collapsed."""
    items = re.findall(rf'<li id="{prefix}-\d+">(.*?)</li>', page, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_draft_page_shows_a_warning_as_a_warning_with_its_explanation(adviser, client_for):
    client = client_for(adviser)
    response = _post_draft(client, text="Le meilleur taux de la place pour votre épargne.")
    assert response.status_code == 302  # saved: a warning never stops the author
    page = client.get(response["Location"]).content.decode()
    assert "Warnings the reviewer will see" in page
    assert "These do not stop you submitting" in page
    assert "What to fix before submitting" not in page
    assert '<mark class="finding-warn" data-finding="1">meilleur taux</mark>' in page
    (item,) = _finding_items(page)
    assert item.startswith("Warning")
    assert "“meilleur taux” is not allowed." in item  # the rule's explanation, as the reviewer reads it


def test_a_draft_with_only_warnings_is_submitted_and_the_author_still_sees_them(adviser, client_for):
    client = client_for(adviser)
    response = _post_draft(client, text="Le meilleur taux de la place.", action="submit")
    assert response.status_code == 302
    item = ContentItem.objects.get(author=adviser)
    assert item.status == ItemStatus.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "Warnings the reviewer will see" in page and "finding-warn" in page


def test_a_refused_draft_shows_what_blocks_and_apart_what_only_warns(adviser, client_for):
    response = _post_draft(client_for(adviser), text="Rendement garanti, au meilleur taux.", action="submit")
    page = response.content.decode()
    blocking, warnings = page.split('aria-labelledby="warnings-title"')
    assert "What to fix before submitting" in blocking and "finding-block" in blocking
    assert "meilleur taux" not in "".join(_finding_items(blocking))
    assert [i.split(" ")[0] for i in _finding_items(warnings)] == ["Warning"]


def test_the_author_reads_each_finding_in_the_reviewers_words(adviser, compliance_officer, client_for):
    client = client_for(adviser)
    response = _post_draft(client, text="Le meilleur taux de la place.", action="submit")
    author_page = client.get(response["Location"]).content.decode()
    version = ContentItem.objects.get(author=adviser).current_version
    review_page = (
        client_for(compliance_officer)
        .get(reverse("review:review", kwargs={"pk": version.pk}))
        .content.decode()
    )
    assert _finding_items(author_page) == _finding_items(review_page) != []


def test_the_live_counter_shows_warnings_as_warnings(adviser, client_for):
    response = client_for(adviser).post(
        reverse("content:count"),
        {"text": "Le meilleur taux", "category": "market_news", "language": "fr", "link_url": ""},
    )
    page = response.content.decode()
    (item,) = _finding_items(page, prefix="live-finding")
    assert item.startswith("Warning") and "“meilleur taux” is not allowed." in item
    assert "Blocks" not in page
    assert "Nothing blocks this text: a compliance officer will confirm the warnings" in page


def test_an_adviser_edits_and_resubmits_a_draft(write_draft, adviser, client_for):
    item = write_draft()
    client = client_for(adviser)
    response = client.post(
        reverse("content:draft_edit", kwargs={"pk": item.pk}),
        {
            "title": "Mon conseil",
            "category": "market_news",
            "language": "fr",
            "text": "Un point sur l'épargne de précaution, version 2.",
            "link_url": "",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED and item.current_version.number == 2


def test_the_live_counter_answers_the_weighted_count_and_what_blocks(adviser, client_for):
    response = client_for(adviser).post(
        reverse("content:count"),
        {
            "text": "Rendement garanti €",
            "category": "market_news",
            "language": "fr",
            "link_url": "https://www.banque-exemple.fr/x",
        },
    )
    page = response.content.decode()
    # 19 characters, "€" counts 2, newline 1, link 23
    assert "44 / 280" in page
    assert "Blocks" in page


def _library_form(**overrides):
    data = {
        "title": "Campagne",
        "category": "corporate",
        "language": "fr",
        "text": "Notre banque recrute !",
        "link_url": "",
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


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"expires_at": "2001-01-01T10:00"}, "The expiry date is in the past"),
        ({"variants-0-text": "Notre banque recrute !"}, "Variant 1 repeats another wording"),
        ({"text": "x" * 260, "disclosure": "Un crédit vous engage et doit être remboursé."}, "shorten it by"),
        ({"text": "Bonjour {prenom}"}, "Unknown slot {prenom}"),
    ],
    ids=["past-expiry", "duplicate-variant", "too-long-with-disclosure", "unknown-slot"],
)
def test_bad_library_content_is_refused_with_a_message(marketer, client_for, overrides, message):
    response = client_for(marketer).post(reverse("content:item_new"), _library_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContentItem.objects.filter(origin=Origin.LIBRARY).exists()


def test_a_marketer_writes_library_content_with_variants_and_an_audience(marketer, org, client_for):
    response = client_for(marketer).post(
        reverse("content:item_new"),
        _library_form(
            **{
                "variants-0-text": "Rejoignez nos équipes en agence.",
                "audience_whole_bank": "",
                "audience_regions": [org["north"].pk],
                "audience_roles": ["adviser", "hr"],
            }
        ),
    )
    assert response.status_code == 302
    item = ContentItem.objects.get(origin=Origin.LIBRARY)
    assert list(item.audience_regions.all()) == [org["north"]]
    assert set(item.audience_roles.values_list("role", flat=True)) == {"adviser", "hr"}
    assert item.current_version.variants.count() == 1


def test_editing_an_approved_item_on_screen_makes_a_new_version(
    write_library_item, approve, marketer, client_for
):
    item = approve(write_library_item())
    response = client_for(marketer).post(
        reverse("content:item_edit", kwargs={"pk": item.pk}),
        _library_form(title=item.title, category=item.category, text="Texte corrigé après approbation."),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.current_version.number == 2
    assert ContentVersion.objects.filter(item=item).count() == 2


def test_new_content_takes_each_writer_to_their_editor(adviser, marketer, client_for):
    assert client_for(adviser).get(reverse("content:new")).url == reverse("content:draft_new")
    assert client_for(marketer).get(reverse("content:new")).url == reverse("content:item_new")


def test_services_refuse_a_draft_from_someone_who_is_not_an_adviser(marketer):
    from advocacy.content.workflow import NotAllowed

    with pytest.raises(NotAllowed):
        services.create_item(
            actor=marketer,
            origin=Origin.ADVISER_DRAFT,
            title="x",
            category="event",
            language="fr",
            text="Un texte.",
        )


def test_an_approved_item_page_offers_the_adviser_a_share_button_and_compliance_none(
    write_library_item, approve, adviser, compliance_officer2, client_for
):
    item = approve(write_library_item(text="Nos agences ouvrent le samedi.", link_url=""))
    share_url = reverse("shares:share", args=[item.pk])
    page = client_for(adviser).get(reverse("content:item_detail", args=[item.pk])).content.decode()
    assert share_url in page
    officer = client_for(compliance_officer2)
    page = officer.get(reverse("content:item_detail", args=[item.pk])).content.decode()
    assert share_url not in page
