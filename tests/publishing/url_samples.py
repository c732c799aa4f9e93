"""URL arguments for publishing's parametrised routes (read by tests/portal/test_access_matrix.py)."""

from __future__ import annotations

import secrets

from django.utils import timezone


def _item(personas):
    from advocacy.content.models import ApprovedText, ContentItem, ContentVersion
    from advocacy.texts import compose, fingerprint

    author = personas["marketing"]
    item = ContentItem.objects.create(
        title="Sample",
        category="corporate",
        origin="library",
        author=author,
        status="approved",
        approved_at=timezone.now(),
    )
    version = ContentVersion.objects.create(
        item=item, number=1, text="Sample text", created_by=author, status="approved"
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    text = compose(version.text)
    approved = ApprovedText.objects.create(version=version, text=text, fingerprint=fingerprint(text))
    return item, version, approved


def _share(personas):
    from advocacy.shares.models import Share

    item, version, approved = _item(personas)
    share = Share.objects.create(
        adviser=personas["adviser"],
        item=item,
        version=version,
        approved_text=approved,
        text=approved.text,
        fingerprint=approved.fingerprint,
        scheduled_for=timezone.now(),
        link_code=secrets.token_urlsafe(9),
    )
    return {"pk": share.pk}


SAMPLES: dict = {
    "shares:share": lambda personas: {"item_id": _item(personas)[0].pk},
    "shares:cancel": _share,
    "shares:reschedule": _share,
    "link_follow": lambda personas: {"code": "no-such-code"},
}
