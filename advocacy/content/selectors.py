"""Reads about content: audiences, the library feed, an adviser's drafts, the publishable texts of a version
and which approved text an adviser gets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from advocacy import texts
from advocacy.content.models import (
    ApprovedText,
    AudienceRole,
    Category,
    ContentItem,
    ContentVersion,
    ItemStatus,
    JobOffer,
    Origin,
    ReviewDecision,
)
from advocacy.content.presentation import highlight_slots
from advocacy.org.models import Role, StaffProfile
from advocacy.org.selectors import profile_of, roles_of
from advocacy.org.slot_values import slot_values_are_plain

User = get_user_model()

# Categories whose items, when they name no audience role, are for every member of staff rather than for
# advisers: job offers, which every employee may relay (``policies.EVERYONE_SHARES_CATEGORIES`` says who
# may share them; it is this set).
EVERYONE_CATEGORIES = frozenset({Category.RECRUITMENT.value})

_Regions = ContentItem.audience_regions.through
_Branches = ContentItem.audience_branches.through


# --- Audience ----------------------------------------------------------------------------------------------
def audience_members(item: ContentItem) -> QuerySet:
    """Active staff the item is meant for: in its places (whole bank, or the chosen regions and branches) and
    holding one of its roles (advisers when it names none). An adviser's own draft is for its author only."""
    if item.origin == Origin.ADVISER_DRAFT:
        return User.objects.filter(pk=item.author_id, is_active=True)
    people = User.objects.filter(is_active=True, staff__isnull=False)
    if not item.audience_whole_bank:
        people = people.filter(
            Q(staff__branch__in=item.audience_branches.all())
            | Q(staff__branch__region__in=item.audience_regions.all())
        )
    # ``.all()``, not ``values_list``: a caller that prefetched the roles (campaign highlights) pays no query.
    wanted_roles = [r.role for r in item.audience_roles.all()]
    if not wanted_roles and item.category in EVERYONE_CATEGORIES:
        return people  # a job offer naming no role is for every member of staff
    people = people.filter(
        Exists(
            StaffProfile.objects.filter(
                user_id=OuterRef("pk"), roles__role__in=wanted_roles or [Role.ADVISER]
            )
        )
    )
    return people


def audience_q(user, *, profile: StaffProfile | None = None) -> Q:
    """Library items whose audience includes ``user`` (subqueries, so no duplicate rows); ``profile``, the
    user's with its branch, when the caller has read it already."""
    if profile is None:
        profile = profile_of(user)
    roles = roles_of(user)
    place = Q(audience_whole_bank=True)
    if profile is not None and profile.branch_id:
        place |= Q(pk__in=_Branches.objects.filter(branch_id=profile.branch_id).values("contentitem_id"))
        place |= Q(
            pk__in=_Regions.objects.filter(region_id=profile.branch.region_id).values("contentitem_id")
        )
    role = Q(pk__in=AudienceRole.objects.filter(role__in=roles).values("item_id"))
    no_role = ~Exists(AudienceRole.objects.filter(item_id=OuterRef("pk")))
    if Role.ADVISER in roles:
        role |= no_role
    else:
        role |= no_role & Q(category__in=sorted(EVERYONE_CATEGORIES))
    return place & role


def currently_valid_q(now=None) -> Q:
    now = now or timezone.now()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=now)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def library_feed_for(user, *, category: str = "", now=None) -> QuerySet[ContentItem]:
    """Approved, currently valid library content for ``user``'s audience, newest approval first."""
    items = (
        ContentItem.objects.filter(origin=Origin.LIBRARY, status=ItemStatus.APPROVED)
        .filter(currently_valid_q(now))
        .filter(audience_q(user))
        .select_related("current_version")
        .annotate(variant_count=Count("current_version__variants"))
        .order_by("-approved_at", "-pk")
    )
    if category:
        items = items.filter(category=category)
    return items


def drafts_of(user) -> QuerySet[ContentItem]:
    """An adviser's own drafts (every status), most recently changed first, with the decisions taken."""
    return (
        ContentItem.objects.filter(origin=Origin.ADVISER_DRAFT, author=user)
        .select_related("current_version")
        .prefetch_related(
            Prefetch("decisions", queryset=ReviewDecision.objects.select_related("reviewer", "version"))
        )
        .order_by("-updated_at", "-pk")
    )


def library_items_for_authoring(*, status: str = "") -> QuerySet[ContentItem]:
    items = (
        ContentItem.objects.filter(origin=Origin.LIBRARY)
        .select_related("current_version", "author")
        .order_by("-updated_at", "-pk")
    )
    return items.filter(status=status) if status else items


def editors_of(item: ContentItem) -> set[int]:
    """Ids of everyone who wrote any version of the item, and its author: none of them may approve it."""
    return {item.author_id, *ContentVersion.objects.filter(item=item).values_list("created_by_id", flat=True)}


# --- Publishable texts -------------------------------------------------------------------------------------
def audience_slot_values(item: ContentItem) -> list[dict[str, str]]:
    """Distinct (first name, branch city) pairs of the active audience, to fill templates. People without a
    branch (head office) have no city and are left out of templates that use ``{branch_city}``; a pair that
    breaks the slot rule (``validate_slot_value``: tags, links, mentions, too long — stored before the rule)
    is left out too, so no approved text ever carries it."""
    pairs = (
        audience_members(item)
        .exclude(first_name="")
        .values_list("first_name", "staff__branch__city")
        .distinct()
        .order_by("first_name", "staff__branch__city")
    )
    values = ({"first_name": name, "branch_city": city or ""} for name, city in pairs)
    return [pair for pair in values if slot_values_are_plain(pair)]


def wordings_of(version: ContentVersion) -> list[tuple[int | None, str]]:
    """(variant id or None for the base wording, text), base first."""
    return [(None, version.text), *((v.pk, v.text) for v in version.variants.order_by("position"))]


def publishable_texts(version: ContentVersion) -> list[texts.PublishableText]:
    """Every text that sharing ``version`` could publish: each plain wording once, each template once per
    audience pair (see ``audience_slot_values``). Duplicates (same fingerprint) are listed once."""
    slot_values = None
    found: dict[str, texts.PublishableText] = {}
    for variant_id, wording in wordings_of(version):
        if texts.is_template(wording):
            if slot_values is None:
                slot_values = audience_slot_values(version.item)
            needs_city = "{branch_city}" in wording
            fills = [
                (texts.fill(wording, values), values)
                for values in slot_values
                if values["branch_city"] or not needs_city
            ]
        else:
            fills = [(wording, {})]
        for filled, values in fills:
            used = {name: values[name] for name in texts.SLOTS if "{" + name + "}" in wording}
            text = texts.PublishableText(
                texts.compose(
                    filled, disclosure=version.disclosure, label=version.label, link_url=version.link_url
                ),
                variant_id=variant_id,
                slots=used,
            )
            found.setdefault(text.fingerprint, text)
    return list(found.values())


def _rank(version_id: int, user_id: int) -> str:
    return hashlib.sha256(f"{version_id}:{user_id}".encode()).hexdigest()


def text_for_adviser(version: ContentVersion, adviser) -> ApprovedText | None:
    """The approved text ``adviser`` posts for ``version``, chosen so that advisers of one audience differ.

    Assignment, deterministic for a given audience: audience members are ordered by a stable hash of
    (version, user) and each in turn takes, first, a free text filled from their own template slots, then a
    free plain wording. Guarantee: no two members get the same text as long as there are enough distinct
    texts (each member has a free candidate on their turn, e.g. plain wordings >= members without their own
    fill). Limit: beyond that, texts are reused round-robin (the fewest-used first), so some advisers share a
    text; X may then refuse or flag near-identical posts, so authors should add variants or a template.
    The assignment changes when the audience changes; the publishing engine stores the text it scheduled.
    Returns None when no approved text suits the adviser (a template-only item whose approval predates them).
    """
    return texts_by_adviser(version, including=adviser).get(adviser.pk)


def _plain_pair(first_name: str, city: str | None, seen: dict) -> tuple[str | None, str]:
    """(first name, city) to match filled templates on; None as the name when the pair breaks the slot rule,
    so that no filled template matches. ``seen`` remembers pairs already judged (a fan-out to thousands
    of advisers meets the same few hundred names and cities)."""
    key = (first_name, city or "")
    if key not in seen:
        plain = slot_values_are_plain({"first_name": key[0], "branch_city": key[1]})
        seen[key] = key if plain else (None, "")
    return seen[key]


def texts_by_adviser(version: ContentVersion, *, including=None) -> dict[int, ApprovedText | None]:
    """The assignment of ``text_for_adviser`` for every member of the item's audience (plus ``including``
    when given and not a member), in two queries: a campaign fan-out to 10,000 advisers asks once."""
    # A filled template whose slot values break the slot rule (approved before the rule existed) is never
    # handed out, and a member whose own values break it gets no filled template: plain wordings only.
    approved = [t for t in version.approved_texts.order_by("pk") if slot_values_are_plain(t.slots or {})]
    seen: dict = {}
    members = {
        pk: _plain_pair(first_name, city, seen)
        for pk, first_name, city in audience_members(version.item).values_list(
            "pk", "first_name", "staff__branch__city"
        )
    }
    if including is not None and including.pk not in members:
        profiles = StaffProfile.objects.filter(user_id=including.pk)
        city = profiles.values_list("branch__city", flat=True).first()
        members[including.pk] = _plain_pair(including.first_name, city, seen)
    if not approved:
        return dict.fromkeys(members)
    plain = [t for t in approved if not t.slots]
    # Filled templates grouped by (first name, city) in first-approval order ("" city = any city).
    own_fill: dict[tuple[str, str], list[ApprovedText]] = {}
    for t in approved:
        if t.slots:
            own_fill.setdefault((t.slots.get("first_name", ""), t.slots.get("branch_city", "")), []).append(t)
    by_name: dict[str, list[tuple[str, list[ApprovedText]]]] = {}
    for (name, city), fills in own_fill.items():
        by_name.setdefault(name, []).append((city, fills))

    taken: dict[int, int] = {}
    chosen_for: dict[int, ApprovedText | None] = {}
    for pk in sorted(members, key=lambda pk: _rank(version.pk, pk)):
        name, city = members[pk]
        options = [t for c, fills in by_name.get(name, ()) if c == city or not c for t in fills] + plain
        if not options:
            chosen_for[pk] = None
            continue
        free = [t for t in options if t.pk not in taken]
        chosen = free[0] if free else min(options, key=lambda t: (taken.get(t.pk, 0), t.pk))
        taken[chosen.pk] = taken.get(chosen.pk, 0) + 1
        chosen_for[pk] = chosen
    return chosen_for


# --- Previews -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    """The base wording as someone would post it, weighed as X weighs it (``texts.to_post``), and whose
    profile filled its slots: the viewer's own, or, when they cannot fill them (head office has no branch
    city), a real member of the audience (``filled_for``), or none (``unfilled``: the slots stay marked)."""

    text: str
    length: int
    limit: int
    has_link: bool = False
    filled_for: str = ""
    unfilled: bool = False

    @property
    def over(self) -> bool:
        return self.length > self.limit

    @property
    def marked(self):
        """The text with its unfilled slots marked (escaped HTML)."""
        return highlight_slots(self.text)


def _slot_values_of(user, profile=None) -> dict[str, str]:
    if user is None:
        return {}
    profile = profile if profile is not None else getattr(user, "staff", None)
    branch = getattr(profile, "branch", None) if profile else None
    values = {"first_name": user.first_name, "branch_city": getattr(branch, "city", "") or ""}
    return {name: value for name, value in values.items() if value and slot_values_are_plain({name: value})}


def stand_in_for(item: ContentItem, slots: list[str]):
    """A real member of ``item``'s audience who has a value for every slot in ``slots`` (first by name), to
    fill a preview for someone who cannot fill it themselves. One query; None when nobody can."""
    members = audience_members(item).select_related("staff__branch").exclude(first_name="")
    if "branch_city" in slots:
        members = members.exclude(staff__branch__city="").exclude(staff__branch__isnull=True)
    for member in members.order_by("first_name", "last_name", "pk")[:20]:
        if set(slots) <= set(_slot_values_of(member)):
            return member
    return None


def preview_for(version: ContentVersion, user=None, *, limit: int = 280, stand_in: bool = False) -> Preview:
    """The base wording as ``user`` would post it (their own slot values), with disclosure, label and link.
    No query when the user fills every slot; otherwise, with ``stand_in`` (one item's page), a real
    adviser of the audience fills them (one query), and without (the feed), the slots stay as they are."""
    used = [name for name in texts.SLOTS if "{" + name + "}" in version.text]
    values = _slot_values_of(user)
    filled_for, unfilled = "", False
    if used and not set(used) <= set(values):
        member = stand_in_for(version.item, used) if stand_in else None
        if member is not None:
            values, filled_for = _slot_values_of(member), member.get_full_name() or member.email
        else:
            values, unfilled = {}, True
    text = texts.compose(
        texts.fill(version.text, values),
        disclosure=version.disclosure,
        label=version.label,
        link_url=version.link_url,
    )
    post = texts.to_post(text, limit=limit)
    return Preview(
        text=post.text,
        length=post.length,
        limit=post.limit,
        has_link=bool(version.link_url),
        filled_for=filled_for,
        unfilled=unfilled,
    )


# --- Job offers -----------------------------------------------------------------------------------------
def job_offers(*, statuses=None, live: bool = False, now=None) -> QuerySet[JobOffer]:
    """Job offers with their item, current version (its ``link_url`` is the apply URL) and branch, newest
    first. ``statuses``: item statuses to keep (every status when None); ``live``: approved and currently
    valid only (what may be shared now). The reference H4 and H5 read from a share:
    ``share.item.job_offer.job_reference``, the apply URL ``share.version.link_url``."""
    offers = JobOffer.objects.filter(item__category=Category.RECRUITMENT).select_related(
        "item__current_version", "item__author", "branch"
    )
    if statuses is not None:
        offers = offers.filter(item__status__in=list(statuses))
    if live:
        now = now or timezone.now()
        offers = offers.filter(
            Q(item__valid_from__isnull=True) | Q(item__valid_from__lte=now),
            Q(item__expires_at__isnull=True) | Q(item__expires_at__gt=now),
            item__status=ItemStatus.APPROVED,
        )
    return offers.order_by("-item__created_at", "-pk")


def job_offers_of(item_ids) -> dict[int, JobOffer]:
    """The job offers of these items, by item id, in one query whatever the number of items."""
    ids = [pk for pk in item_ids if pk is not None]
    if not ids:
        return {}
    return {
        offer.item_id: offer for offer in JobOffer.objects.filter(item_id__in=ids).select_related("branch")
    }


def job_offer_by_reference(job_reference: str) -> JobOffer | None:
    """The job offer carrying the ATS's reference (unique), or None: what an application names."""
    return job_offers().filter(job_reference=job_reference.strip()).first()


# --- Home panels -------------------------------------------------------------------------------------------
def adviser_home_panel(user) -> dict:
    counts = dict(
        ContentItem.objects.filter(origin=Origin.ADVISER_DRAFT, author=user)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "draft_counts": [
            (label, counts.get(value, 0)) for value, label in ItemStatus.choices if counts.get(value)
        ],
        "newest": list(library_feed_for(user)[:5]),
    }


def authoring_home_panel() -> dict:
    counts = dict(
        ContentItem.objects.filter(origin=Origin.LIBRARY)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {"counts": [(label, counts.get(value, 0)) for value, label in ItemStatus.choices]}
