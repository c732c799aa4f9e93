"""One measure of "what would be posted": the editor's live counter, the library preview and the share page
count the same post the same way (``advocacy.texts.to_post``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.content import selectors as content_selectors
from advocacy.content.presentation import live_counter
from advocacy.shares import services


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["https://www.banque-test.fr/livret", ""])
def test_the_live_counter_the_library_preview_and_the_share_page_count_the_same_post(
    link, adviser, make_item, client_for, settings
):
    # A tracked link weighs what any link weighs (23) when the portal has a domain name, as in production;
    # the tests' default http://127.0.0.1:8000 is no URL to X's counter.
    settings.PUBLIC_BASE_URL = "https://relais.banque-test.fr"
    item = make_item(link=link, disclosure="Communication à caractère promotionnel.")
    version = item.current_version
    counter = live_counter(
        text=version.text,
        disclosure=version.disclosure,
        label=version.label,
        link_url=version.link_url,
        category=item.category,
        language="fr",
        limit=280,
    )
    preview = content_selectors.preview_for(version, adviser, limit=280)
    share = services.preview_share(adviser=adviser, item=item)
    assert counter["length"] == preview.length == share.length
    assert share.tracked is bool(link)
    assert (f"{reverse('link_follow', args=['x' * 11])}" in share.text) is bool(link)
    # The same words; only the last line differs, the destination link standing in for the tracked one.
    tracked_line = share.text.rsplit("\n", 1)[-1]
    assert preview.text == (share.text.replace(tracked_line, link) if link else share.text)
    page = client_for(adviser).get(reverse("shares:share", args=[item.pk])).content.decode()
    assert f"{share.length}" in page
