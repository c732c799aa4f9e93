"""The whole publishing loop in a real browser, in French, as the people who do it would:

1. an adviser writes a draft that promises safety, is refused with the reason and the words highlighted,
   keeps the draft, rewrites it and submits it;
2. a compliance officer (not the author, signed in with TOTP) reviews it and approves it, acknowledging the
   warnings; the approval's fingerprints are recorded;
3. the adviser connects an X account through the sandbox's authorize page and shares the approved post now;
   the post is on the sandbox with the tracked link, and "My shares" shows it published;
4. a reader follows the tracked link: 302 to the destination with the UTM parameters, and the click count
   on "My shares" rises once the click buffer is flushed;
5. the officer recalls the content: the post is deleted from X, the archive lists every step, and
   ``verify_archive`` passes;
6. one page per area is also screenshotted in English.

The adviser and the officer are two people at two computers: two browser contexts. Nothing is mocked: the X
calls go to ``advocacy.xsandbox.SandboxServer`` and Celery runs its tasks eagerly under the tests.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command

from advocacy.org.models import Role
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in_and_shell import sign_in
from tests.publishing.conftest import make_item, sandbox, sandbox_state  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED_TEXT = "Placement garanti sans risque"
ACCEPTED_TEXT = (
    "Notre livret d'épargne : capital garanti par la banque, taux révisable chaque trimestre. "
    "Parlons-en en agence. #PUB"
)
DESTINATION = "https://www.banque-exemple.fr/epargne/livret"
X_USERNAME = "camille_x"
# A reader's browser: the link counts people, not link-preview bots nor headless browsers.
READER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)



def _open_from_menu(page, href: str) -> None:
    """Click a menu entry as a person would: open its drop-down first when the menu groups it into one."""
    link = page.locator(f"nav[aria-label] a[href='{href}']")
    group = page.locator(f"nav[aria-label] details:has(a[href='{href}'])")
    if group.count() and not link.is_visible():
        group.locator("summary").first.click()
    link.click()


def wait_until(predicate, *, timeout: float = 10.0, every: float = 0.2, what: str = "condition"):
    """Bounded polling for work that finishes after the response (on-commit tasks, X calls)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


@pytest.fixture
def rule_packs(transactional_db):
    """The default rule packs and compliance settings, as migration 0002 installs them: transactional tests
    flush the tables between tests, so a test that relies on the seeded rules puts them back."""
    import importlib

    from django.apps import apps

    importlib.import_module("compliance.review.migrations.0002_default_packs").load_defaults(apps, None)


@pytest.fixture
def officer_page(browser):
    """The compliance officer's own browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
    officer = context.new_page()
    officer.set_default_timeout(10_000)
    yield officer
    context.close()


@pytest.fixture
def screenshot(screenshot, page):
    """The browser folder's ``screenshot``, also able to take the officer's page (``on=``)."""

    def take(name: str, on=None):
        if on is None or on is page:
            return screenshot(name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        on.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def loop_settings(settings, live_server, sandbox):  # noqa: F811 - the sandbox fixture
    """Tracked links point at the live server; the X calls at the sandbox (set by ``sandbox``)."""
    from django.core.cache import cache

    from advocacy.links import clicks

    settings.PUBLIC_BASE_URL = live_server.url
    clicks._local.clear()
    cache.clear()
    yield settings
    clicks._local.clear()


def in_english(page, live_server, path: str):
    """Switch the interface to English on ``path`` (the switch keeps the person on the page)."""
    page.goto(f"{live_server.url}{path}")
    page.select_option("#language-select", "en")
    page.locator("html[lang=en]").wait_for(state="attached")  # no string predicates: the CSP refuses eval


def back_to_french(page):
    page.select_option("#language-select", "fr")
    page.locator("html[lang=fr]").wait_for(state="attached")


def test_a_draft_goes_from_refusal_to_approval_to_x_and_back_out_on_recall(
    page,
    officer_page,
    live_server,
    personas,
    rule_packs,
    loop_settings,
    sandbox,  # noqa: F811 - the fixture imported above
    make_item,  # noqa: F811 - the fixture imported above
    screenshot,
):
    from advocacy.content.models import ApprovedText, ContentItem, ReviewDecision
    from advocacy.links import clicks
    from advocacy.shares.models import Share
    from compliance.archive.models import ArchiveRecord

    adviser, officer = personas[Role.ADVISER], personas[Role.COMPLIANCE]
    make_item(title="Livret Relais")  # the library is not empty for the adviser
    base = live_server.url

    # --- 1. The adviser writes a draft that promises safety: refused, with the reason; the draft is kept.
    sign_in(page, live_server, adviser)
    assert page.locator("html").get_attribute("lang") == "fr"
    _open_from_menu(page, "/library/drafts/")
    page.wait_for_url(f"{base}/library/drafts/")
    page.locator("main a[href='/library/drafts/new/']").click()
    page.wait_for_url(f"{base}/library/drafts/new/")
    page.fill("#id_title", "Livret sans souci")
    page.select_option("#id_category", "market_news")
    page.select_option("#id_language", "fr")
    page.fill("#id_link_url", DESTINATION)
    page.locator("#id_text").press_sequentially(REFUSED_TEXT)  # typed: the live check listens to keys
    # The live counter already says what would block (htmx, after a short pause in typing).
    page.locator("#post-counter .findings").wait_for()
    screenshot("loop-01-draft-live-check-fr")
    page.locator("button[name=action][value=submit]").click()
    findings = page.locator("section[aria-labelledby=findings-title]")
    findings.wait_for()
    assert page.locator(".message-error").is_visible()
    highlighted = [m.inner_text().lower() for m in findings.locator("mark.finding-block").all()]
    assert "sans risque" in highlighted, highlighted
    assert findings.locator("li").first.inner_text().strip()  # the reason, in words
    screenshot("loop-02-draft-refused-fr")
    item = ContentItem.objects.get(title="Livret sans souci", author=adviser)
    assert item.status == "draft" and item.current_version.text == REFUSED_TEXT
    assert page.locator("#id_text").input_value() == REFUSED_TEXT  # what was typed is still there

    # ... rewrites it to an acceptable text and submits.
    page.fill("#id_text", ACCEPTED_TEXT)
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(f"{base}/library/drafts/{item.pk}/")
    page.locator(".message-success").wait_for()
    assert not page.locator("section[aria-labelledby=findings-title]").count()
    screenshot("loop-03-draft-submitted-fr")
    assert ContentItem.objects.filter(author=adviser).count() == 1  # the same draft, not a second one
    item.refresh_from_db()
    assert item.status == "submitted"
    version = item.current_version
    assert version.text == ACCEPTED_TEXT and version.number == 2

    # --- 2. A compliance officer who is not the author reviews it and approves it.
    sign_in(officer_page, live_server, officer)  # with a TOTP code
    _open_from_menu(officer_page, "/compliance/review/")
    officer_page.wait_for_url(f"{base}/compliance/review/")
    screenshot("loop-04-review-queue-fr", on=officer_page)
    officer_page.get_by_role("link", name="Livret sans souci").click()
    officer_page.wait_for_url(f"{base}/compliance/review/versions/{version.pk}/")
    text_card = officer_page.locator("[data-highlighted-text]").first
    assert "garanti" in text_card.inner_text()
    assert text_card.locator("mark").count() >= 1  # the warned word is highlighted
    assert officer_page.locator("ol.findings li").count() >= 1
    diff = officer_page.locator("section[aria-labelledby=diff-title]")
    removed = " ".join(diff.locator("del").all_inner_texts())
    assert "risque" in removed and diff.locator("ins").count() >= 1  # what changed since version 1
    screenshot("loop-05-review-page-fr", on=officer_page)

    in_english(officer_page, live_server, f"/compliance/review/versions/{version.pk}/")
    assert officer_page.locator("#decision-title").inner_text() == "Decision"
    screenshot("loop-en-review-page", on=officer_page)
    back_to_french(officer_page)

    warnings = officer_page.locator("input[name=acknowledged]")
    warning_count = warnings.count()
    assert warning_count >= 1  # "garanti" warns: approving needs each warning acknowledged
    for box in warnings.all():
        box.check()
    officer_page.fill("textarea[name=comment]", "Formulation équilibrée, merci.")
    officer_page.locator("button[name=decision][value=approve]").first.click()  # the sticky bar's
    officer_page.wait_for_url(f"{base}/compliance/review/")
    officer_page.locator(".message-success").wait_for()
    screenshot("loop-06-approved-fr", on=officer_page)

    item.refresh_from_db()
    assert item.status == "approved"
    decision = ReviewDecision.objects.get(version=version, kind=ReviewDecision.Kind.APPROVE)
    assert decision.reviewer == officer and decision.final
    approved = sorted(ApprovedText.objects.filter(version=version).values_list("fingerprint", flat=True))
    assert approved and decision.fingerprints == approved
    assert len(decision.acknowledged_findings) == warning_count
    approval = ArchiveRecord.objects.get(event_type="review.approved")
    assert approval.payload["fingerprints"] == approved

    # --- 3. The adviser connects an X account through the sandbox, then shares the approved post now.
    _open_from_menu(page, "/shares/connection/")
    page.wait_for_url(f"{base}/shares/connection/")
    screenshot("loop-07-x-account-not-connected-fr")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(sandbox.url) + r"/i/oauth2/authorize\?"))
    screenshot("loop-08-sandbox-authorize")
    page.fill("input[name=username]", X_USERNAME)
    page.locator("button[name=action][value=authorize]").click()
    page.wait_for_url(f"{base}/shares/connection/")
    assert f"@{X_USERNAME}" in page.locator("main").inner_text()
    screenshot("loop-09-x-account-connected-fr")

    page.goto(f"{base}/library/")
    assert page.get_by_role("link", name="Livret Relais").is_visible()  # library content is there too
    in_english(page, live_server, "/library/")
    screenshot("loop-en-library")
    back_to_french(page)
    screenshot("loop-10-library-fr")

    # The adviser's own approved post: from "My drafts", then "Share on X".
    _open_from_menu(page, "/library/drafts/")
    page.wait_for_url(f"{base}/library/drafts/")
    page.get_by_role("link", name="Livret sans souci").click()
    page.wait_for_url(f"{base}/library/drafts/{item.pk}/")
    page.locator(f"main a[href='/shares/item/{item.pk}/']").click()
    page.wait_for_url(f"{base}/shares/item/{item.pk}/")
    preview = page.locator("section[aria-labelledby=preview-title] blockquote").inner_text()
    assert f"{base}/l/" in preview  # the tracked link, not the destination
    screenshot("loop-11-share-page-fr")
    page.locator("button[name=now]").click()
    page.wait_for_url(f"{base}/shares/")

    share = wait_until(
        lambda: Share.objects.filter(item=item, status=Share.Status.PUBLISHED).first(),
        what="the share to be published",
    )
    tracked = f"{base}/l/{share.link_code}"
    users = {u["id"]: u["username"] for u in sandbox_state(sandbox)["users"]}
    posts = [
        t
        for t in sandbox_state(sandbox)["tweets"]
        if users[t["author_id"]] == X_USERNAME and not t["deleted"]
    ]
    assert len(posts) == 1 and posts[0]["id"] == share.network_post_id
    assert tracked in posts[0]["text"] and DESTINATION not in posts[0]["text"]
    timeline = requests.get(f"{sandbox.url}/timeline/{X_USERNAME}", timeout=5).text
    assert share.link_code in timeline

    page.reload()
    published = page.locator("section[aria-labelledby=published-title] tbody tr")
    published.first.wait_for()
    assert published.count() == 1
    row = published.first
    assert "Livret sans souci" in row.inner_text()
    post_link = row.locator("a[href*='/timeline/']")
    assert post_link.get_attribute("href") == share.post_url
    assert row.locator("td").nth(2).inner_text().strip() == "0"
    screenshot("loop-12-my-shares-published-fr")

    # --- 4. A reader follows the tracked link: 302 with the UTM parameters, then the count rises.
    response = page.request.get(tracked, max_redirects=0, headers={"User-Agent": READER_AGENT})
    assert response.status == 302
    location = response.headers["location"]
    assert location.startswith(DESTINATION + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query == {
        "utm_source": "x",
        "utm_medium": "social",
        "utm_campaign": str(item.pk),
        "utm_content": str(share.pk),
    }
    clicks.flush()  # the beat task's work (every 10 s in production), done now
    page.reload()
    row = page.locator("section[aria-labelledby=published-title] tbody tr").first
    assert row.locator("td").nth(2).inner_text().strip() == "1"
    screenshot("loop-13-my-shares-one-click-fr")
    in_english(page, live_server, "/shares/")
    screenshot("loop-en-my-shares")
    back_to_french(page)

    # --- 5. The officer recalls the content: the post is deleted from X, every step is in the archive.
    officer_page.goto(f"{base}/library/items/{item.pk}/")
    officer_page.fill("#recall-reason", "Le taux du livret change : ce message n'est plus exact.")
    officer_page.locator("form[action$='/recall/'] button[type=submit]").click()
    # The confirmation says what the recall will do before anything happens.
    officer_page.locator("#impact-title").wait_for()
    screenshot("loop-14a-recall-confirm-fr", on=officer_page)
    officer_page.locator("form[action$='/recall/'] button[type=submit]").click()
    officer_page.wait_for_url(f"{base}/library/items/{item.pk}/")
    officer_page.locator(".message-success").wait_for()
    screenshot("loop-14-recalled-fr", on=officer_page)
    item.refresh_from_db()
    assert item.status == "recalled"
    wait_until(
        lambda: all(
            t["deleted"] for t in sandbox_state(sandbox)["tweets"] if t["id"] == share.network_post_id
        ),
        what="the post to be deleted from X",
    )
    share.refresh_from_db()
    assert share.status == Share.Status.DELETED
    assert page.request.get(tracked, max_redirects=0, headers={"User-Agent": READER_AGENT}).status == 404

    page.reload()
    row = page.locator("section[aria-labelledby=published-title] tbody tr").first
    assert row.locator(".badge-warn").is_visible()  # "deleted after a recall"
    screenshot("loop-15-my-shares-deleted-fr")

    _open_from_menu(officer_page, "/compliance/archive/")
    officer_page.wait_for_url(f"{base}/compliance/archive/")
    events = set(officer_page.locator("table.table tbody td .badge").all_inner_texts())
    steps = {
        "content.version_created",
        "content.submitted",
        "review.approved",
        "share.published",
        "content.recalled",
        "share.deleted",
    }
    assert steps <= events, steps - events
    screenshot("loop-16-archive-fr", on=officer_page)
    in_english(officer_page, live_server, "/compliance/archive/")
    screenshot("loop-en-archive", on=officer_page)
    back_to_french(officer_page)

    call_command("verify_archive")  # raises CommandError (exit 1) when the chain is broken
