"""Every user-facing sentence of the checks, in one place, keyed by the finding's stable ``code``.

Why here and in this form: the engine must not import Django, yet the portal shows findings in French.
Templates use ``%(name)s`` placeholders (gettext's convention) and are wrapped in a local ``gettext_noop``
so that ``makemessages`` extracts them; the Django layer renders ``gettext(MESSAGES[code]) % params``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a string for extraction without translating it (same name as Django's, on purpose)."""
    return message


MESSAGES: dict[str, str] = {
    "lexicon": gettext_noop('"%(matched)s" matches the restricted phrase "%(phrase)s": %(explanation)s'),
    "pii.iban": gettext_noop(
        "This looks like a bank account number (IBAN). Remove client data from the post."
    ),
    "pii.card": gettext_noop("This looks like a payment card number. Remove client data from the post."),
    "pii.phone": gettext_noop("This looks like a phone number. Remove personal data from the post."),
    "pii.email": gettext_noop("This looks like an e-mail address. Remove personal data from the post."),
    "link.domain": gettext_noop(
        'The link points to "%(host)s", which is not on the list of allowed domains.'
    ),
    "link.invalid": gettext_noop("This link could not be read; links must point to an allowed domain."),
    "length.over": gettext_noop("The post is %(length)s weighted characters long; the limit is %(max)s."),
    "label.missing": gettext_noop('The required label "%(label)s" is missing.'),
    "warning.missing": gettext_noop('The required risk warning is missing: "%(warning)s"'),
    "cashtag": gettext_noop('The cashtag "%(matched)s" names a financial instrument and needs a disclosure.'),
}


def render_message(code: str, params: Mapping[str, Any]) -> str:
    """The English message for ``code``; unknown codes fall back to the code itself (never raises)."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template
