"""The supervision lexicons: what makes a reply, or the post it answers, worth a compliance officer's eyes.

Phrases are matched by the checks engine's lexicon (``compliance.checks.CompiledLexicon``: case, accents,
plurals and spacing tricks survive), personal data by its confirmed patterns (``find_pii``: an IBAN passing
mod-97, a card passing Luhn, a phone number, an e-mail address). These lists are data, in both languages
the bank works in; a phrase is a flag, never a block (the reply is already sent).
"""

from __future__ import annotations

import functools

from compliance.checks import CompiledLexicon, LexiconEntry, Severity, find_pii
from compliance.supervision.models import Flag

PHRASES: dict[str, tuple[str, ...]] = {
    Flag.COMPLAINT: (
        # fr
        "réclamation",
        "plainte",
        "porter plainte",
        "pas satisfait",
        "mécontent",
        "inadmissible",
        "scandaleux",
        "arnaque",
        "médiateur",
        "remboursez",
        "je vais clôturer mon compte",
        # en
        "complaint",
        "complain",
        "not happy",
        "unacceptable",
        "scam",
        "ombudsman",
        "refund me",
        "close my account",
    ),
    Flag.ADVICE_REQUEST: (
        # fr
        "que me conseillez-vous",
        "conseillez-moi",
        "vous me conseillez",
        "dois-je investir",
        "dois-je acheter",
        "dois-je vendre",
        "faut-il acheter",
        "faut-il vendre",
        "quel placement",
        "où placer",
        # en
        "should i invest",
        "should i buy",
        "should i sell",
        "what do you recommend",
        "what would you recommend",
        "is it a good time to buy",
        "where should i put my money",
    ),
}


@functools.cache
def _lexicon() -> CompiledLexicon:
    return CompiledLexicon.build(
        LexiconEntry(id=f"{flag}:{index}", phrase=phrase, severity=Severity.WARN)
        for flag, phrases in PHRASES.items()
        for index, phrase in enumerate(phrases)
    )


def flags_in(text: str, *, where: str) -> list[dict]:
    """Each flag raised in ``text`` once, with what raised it first: ``{"flag", "where", "matched"}``."""
    found: dict[str, str] = {}
    for finding in _lexicon().scan(text or ""):
        found.setdefault(finding.rule_id.split(":", 1)[0], finding.matched)
    pii = find_pii(text or "")
    if pii:
        found.setdefault(Flag.PERSONAL_DATA, pii[0].code)  # the kind ("pii.iban"), never the data itself
    return [{"flag": str(flag), "where": where, "matched": matched} for flag, matched in found.items()]
