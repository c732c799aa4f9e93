"""Content for the review tests, made through CONTENT's models and workflow."""

from __future__ import annotations

from advocacy.content.models import ContentItem, ContentVersion, Origin
from advocacy.content.workflow import begin_new_version, submit_for_review
from advocacy.org.models import Role
from advocacy.org.selectors import roles_of


def submitted_version(
    author,
    *,
    text="Découvrez notre nouveau livret.",
    category="corporate",
    language="fr",
    title="Nouveau livret",
    item=None,
):
    """A version written by ``author`` and submitted for review (a new item unless ``item`` is given): an
    adviser's draft when the author is an adviser, a library item otherwise."""
    if item is None:
        origin = Origin.ADVISER_DRAFT if Role.ADVISER in roles_of(author) else Origin.LIBRARY
        item = ContentItem.objects.create(
            title=title, category=category, language=language, author=author, origin=origin
        )
    item.refresh_from_db()
    version = ContentVersion.objects.create(
        item=item, number=item.versions.count() + 1, text=text, created_by=author
    )
    begin_new_version(item=item, version=version, actor=author)
    submit_for_review(version=version, actor=author)
    version.refresh_from_db()
    return version
