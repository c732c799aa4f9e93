"""The review page's reading of a version: each wording once, its expansions summarised.

A template (``{first_name}``, ``{branch_city}``) becomes one publishable text per distinct pair of its
audience, so a bank of 2,000 advisers makes 2,000 texts of one wording. A reviewer judges the wording, and
needs from its expansions only what the wording alone does not say: how many there are, the longest, and
which ones fail and for whom. So each wording is shown once with its slots marked, its expansions are
summarised, and the expansions themselves are listed collapsed, each with the advisers who would post it.

The cost does not grow with the audience: the checks' own queries, one query for the wordings and one for
the audience's names, whatever the headcount (``tests/review/test_review_at_scale.py`` holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from advocacy import texts
from advocacy.content.presentation import finding_rows, highlight, highlight_slots
from advocacy.content.selectors import audience_members, wordings_of
from compliance.checks import Finding

# Shown by name in the summary of failing expansions; the full list is in the expansions below.
NAMES_SHOWN = 5


@dataclass
class Expansion:
    text: str
    highlighted: str
    weighted: int
    findings: list[dict]
    blocking: int
    people: list[str]
    slots: dict[str, str]
    anchor: str = ""  # unique on the page: the ids of its findings start with it

    @property
    def fails(self) -> bool:
        return self.blocking > 0

    @property
    def search_text(self) -> str:
        """What the filter box matches against: the advisers' names and the slot values, folded."""
        return " ".join([*self.people, *self.slots.values()]).casefold()


@dataclass
class Wording:
    number: int
    label: str
    is_template: bool
    shown: str  # the wording as composed, slots marked (a plain wording: its findings marked)
    expansions: list[Expansion]
    limit: int
    # Findings over every expansion, grouped: the same phrase found in 38 expansions is one row.
    finding_groups: list[dict] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The prefix of its findings' ids: the base text's are "finding-N", as on the author's page."""
        return "finding" if self.number == 0 else f"w{self.number}"

    @property
    def count(self) -> int:
        return len(self.expansions)

    @property
    def longest(self) -> Expansion | None:
        return max(self.expansions, key=lambda e: e.weighted, default=None)

    @property
    def failing(self) -> list[Expansion]:
        return [e for e in self.expansions if e.fails]

    @property
    def failing_people(self) -> list[str]:
        return sorted({name for e in self.failing for name in e.people})

    @property
    def failing_people_shown(self) -> list[str]:
        return self.failing_people[:NAMES_SHOWN]

    @property
    def failing_people_more(self) -> int:
        return max(0, len(self.failing_people) - NAMES_SHOWN)

    @property
    def over(self) -> bool:
        longest = self.longest
        return longest is not None and longest.weighted > self.limit

    @property
    def single(self) -> Expansion | None:
        """A plain wording has exactly one text: the page shows it like before, with its findings."""
        return self.expansions[0] if not self.is_template and self.expansions else None


def _people_by_slots(item) -> dict[tuple[str, str], list[str]]:
    """(first name, branch city) -> names of the audience members who fill a template with them. One query."""
    people: dict[tuple[str, str], list[str]] = {}
    rows = audience_members(item).values_list("first_name", "last_name", "email", "staff__branch__city")
    for first, last, email, city in rows.order_by("last_name", "first_name", "pk"):
        name = f"{first} {last}".strip() or email
        people.setdefault((first, city or ""), []).append(name)
    return people


def _people_for(slots: dict[str, str], people: dict[tuple[str, str], list[str]]) -> list[str]:
    if not slots:
        return []
    return [
        name
        for (first, city), names in people.items()
        if slots.get("first_name", first) == first and slots.get("branch_city", city) == city
        for name in names
    ]


def _group_findings(expansions: list[tuple[Expansion, list[dict]]]) -> list[dict]:
    """One row per distinct finding (severity, code, rule, matched words) over every expansion, with the ids
    of each occurrence: the reviewer confirms a warning once per wording, which confirms all of them."""
    groups: dict[tuple, dict] = {}
    for expansion, raw in expansions:
        for data, row in zip(raw, expansion.findings, strict=True):
            key = (data.get("severity"), data.get("code"), data.get("rule_id"), data.get("matched"))
            group = groups.setdefault(
                key, {**row, "ids": [], "expansions": 0, "blocks": bool(data.get("blocks")), "people": set()}
            )
            group["ids"].append(data["id"])
            group["expansions"] += 1
            group["people"].update(expansion.people)
    rows = []
    for group in groups.values():
        group["people"] = sorted(group["people"])
        rows.append(group)
    return rows


def wordings_for_review(version, checked: dict[str, dict], *, limit: int) -> list[Wording]:
    """Each wording of ``version`` (base first, then variants) with its expansions among ``checked`` (the
    checks' result, ``compliance_checks.run_checks`` form)."""
    item = version.item
    by_variant: dict[int | None, list[dict]] = {}
    for entry in checked.values():
        by_variant.setdefault(entry["variant"], []).append(entry)
    people = None
    result = []
    for number, (variant_id, wording) in enumerate(wordings_of(version)):
        template = texts.is_template(wording)
        if template and people is None:
            people = _people_by_slots(item)
        composed = texts.compose(
            wording, disclosure=version.disclosure, label=version.label, link_url=version.link_url
        )
        pairs = []
        for entry in by_variant.get(variant_id, ()):
            findings = [Finding.from_dict(data) for data in entry["findings"]]
            expansion = Expansion(
                text=entry["text"],
                highlighted=highlight(entry["text"], findings),
                weighted=texts.weighted_length(entry["text"]),
                findings=finding_rows(findings),
                blocking=sum(1 for data in entry["findings"] if data.get("blocks")),
                people=_people_for(entry["slots"] or {}, people or {}),
                slots=dict(entry["slots"] or {}),
            )
            pairs.append((expansion, entry["findings"]))
        pairs.sort(key=lambda pair: (not pair[0].fails, pair[0].people[:1], pair[0].text))
        expansions = [expansion for expansion, _raw in pairs]
        for index, expansion in enumerate(expansions, start=1):
            expansion.anchor = f"w{number}-e{index}"
        result.append(
            Wording(
                number=number,
                label=_("Text") if number == 0 else _("Variant %(number)s") % {"number": number},
                is_template=template,
                shown=highlight_slots(composed) if template else (
                    expansions[0].highlighted if expansions else composed
                ),
                expansions=expansions,
                limit=limit,
                finding_groups=_group_findings(pairs),
            )
        )
    return result


def acknowledgement_choices(wordings: list[Wording]) -> list[tuple[str, str]]:
    """One checkbox per distinct warning of each wording; its value holds every occurrence's id (space
    separated: ids have no spaces), so a warning found in 38 expansions is confirmed once, knowingly."""
    choices = []
    for wording in wordings:
        for group in wording.finding_groups:
            if group["blocks"]:
                continue
            label = f"{group['matched']} — {group['message']}" if group["matched"] else group["message"]
            if wording.is_template:
                label = _("%(label)s (%(wording)s, in %(count)s of %(total)s expansions)") % {
                    "label": label,
                    "wording": wording.label,
                    "count": group["expansions"],
                    "total": wording.count,
                }
            choices.append((" ".join(group["ids"]), label))
    return choices
