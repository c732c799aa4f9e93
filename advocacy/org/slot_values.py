"""The plain-text rules for values that end up inside an approved post without anyone reviewing them
word by word: a branch's name, and the values that fill a template's slots (a first name, a branch city).

They live with the organisation (which stores those values: the roster, branch edits) and are read by
content (where templates expand), so that content depends on the organisation and never the reverse.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from advocacy import texts
from compliance.checks.urls import find_urls


def validate_short_line(value: str, *, field_label: str) -> str:
    value = texts.normalise(value)
    if texts.contains_tags(value):
        raise ValidationError(
            _("%(field)s is plain text: remove the HTML tags."), params={"field": field_label}, code="html"
        )
    if texts.slots_in(value):
        raise ValidationError(
            _("%(field)s cannot hold slots such as {first_name}."), params={"field": field_label}, code="slot"
        )
    return value


def validate_slot_value(value: str, *, field_label: str) -> str:
    """A value that fills a template slot (a first name, a branch city) becomes part of an approved post,
    so it obeys the post's plain-text rule for short lines (``validate_short_line``: no tags, no slots)
    and, since nobody reviews it word by word, more: one line, no web address, no @mention, #hashtag or
    $cashtag, and at most ``SLOT_VALUE_MAX_LENGTH`` characters. Used where such values come in (the
    roster, branch edits) and where templates expand (``advocacy.content.selectors``), so that values
    stored before the rule never reach a post either."""
    value = validate_short_line(value, field_label=field_label)
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ValidationError(
            _("%(field)s must fit on one line."), params={"field": field_label}, code="multiline"
        )
    if find_urls(value):
        raise ValidationError(
            _("%(field)s cannot hold a web address or a domain name."),
            params={"field": field_label},
            code="url",
        )
    if set(value) & {"@", "#", "$"}:
        raise ValidationError(
            _("%(field)s cannot hold @, # or $ (a mention, a hashtag or a cashtag)."),
            params={"field": field_label},
            code="symbol",
        )
    limit = settings.SLOT_VALUE_MAX_LENGTH
    if len(value) > limit:
        raise ValidationError(
            _("%(field)s is at most %(limit)s characters long (this one has %(length)s)."),
            params={"field": field_label, "limit": limit, "length": len(value)},
            code="too_long",
        )
    return value


def slot_values_are_plain(values: dict[str, str]) -> bool:
    """Whether every non-empty value would pass ``validate_slot_value`` (the label is irrelevant here)."""
    for value in values.values():
        if value:
            try:
                validate_slot_value(value, field_label="")
            except ValidationError:
                return False
    return True
