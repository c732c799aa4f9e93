"""Writes about content: create an item, edit it (always a new immutable version), save and submit in one
step, expire what is due.

Status changes belong to ``advocacy.content.workflow``; these functions call it for their part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy import texts
from advocacy.content import policies, validation, workflow
from advocacy.content.models import (
    AudienceRole,
    Category,
    ContentItem,
    ContentVariant,
    ContentVersion,
    ItemStatus,
    JobOffer,
    Origin,
)
from advocacy.content.sanitise import sanitise_guidance
from advocacy.org import slot_values
from compliance.archive.services import record

ITEM_FIELDS = (
    "title",
    "category",
    "language",
    "audience_whole_bank",
    "guidance_html",
    "image",
    "image_alt",
    "valid_from",
    "expires_at",
)
AUDIENCE_FIELDS = ("audience_regions", "audience_branches", "audience_roles")
VERSION_FIELDS = ("text", "disclosure", "label", "link_url", "variants")
# A job offer's own facts (``JobOffer``), given with the item's fields when the category is recruitment and
# ignored otherwise (a form hides them for other categories but the browser may still send them).
JOB_FIELDS = ("job_reference", "place", "contract_type", "closes_on")
ALL_FIELDS = frozenset(ITEM_FIELDS + AUDIENCE_FIELDS + VERSION_FIELDS + JOB_FIELDS)


_LABELS = {"disclosure": lambda: _("The disclosure"), "label": lambda: _("The label")}


def clean_fields(fields: dict[str, Any], *, origin: str) -> dict[str, Any]:
    """Validate and normalise content fields; raise ``ValidationError`` keyed by field."""
    unknown = set(fields) - ALL_FIELDS
    if unknown:
        raise TypeError(f"Unknown content fields: {', '.join(sorted(unknown))}")
    data = dict(fields)
    errors: dict[str, list] = {}

    def run(name, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, value in exc.message_dict.items():
                    errors.setdefault(key, []).extend(value)
            else:
                errors.setdefault(name, []).extend(exc.messages)
            return None

    if "title" in data:
        data["title"] = texts.normalise(data["title"])
        if not data["title"]:
            errors.setdefault("title", []).append(_("Give the content a title."))
    if "text" in data:
        data["text"] = run(
            "text", validation.validate_post_text, data["text"], allow_slots=origin == Origin.LIBRARY
        )
    for name in ("disclosure", "label"):
        if name in data:
            data[name] = run(
                name, slot_values.validate_short_line, data[name] or "", field_label=_LABELS[name]()
            )
    if "link_url" in data:
        data["link_url"] = run("link_url", validation.validate_link, data["link_url"])
    if "variants" in data:
        data["variants"] = run(
            "variants",
            validation.validate_variants,
            data.get("text") or "",
            [v for v in data["variants"] if texts.normalise(v)],
        )
    if "guidance_html" in data:
        data["guidance_html"] = sanitise_guidance(data["guidance_html"])
    if "valid_from" in data or "expires_at" in data:
        run("expires_at", validation.validate_dates, data.get("valid_from"), data.get("expires_at"))
    if data.get("image") and not texts.normalise(data.get("image_alt", "")):
        errors.setdefault("image_alt", []).append(_("Describe the image for people who cannot see it."))
    if errors:
        raise ValidationError(errors)
    return data


def clean_job_fields(data: dict[str, Any], *, item: ContentItem | None) -> dict[str, Any]:
    """A job offer's facts, validated: every one given, the closing date not past, the reference not
    another offer's, and an apply link (``link_url``, already checked against the allowed domains). Returns
    them normalised with ``branch`` (the branch whose code or name is the place, else None)."""
    errors: dict[str, list] = {}
    job = {name: data.get(name) for name in JOB_FIELDS}
    for name in ("job_reference", "place"):
        job[name] = texts.normalise(job[name] or "")
    if not job["job_reference"]:
        errors["job_reference"] = [_("Give the job reference used in the applicant-tracking system.")]
    elif len(job["job_reference"]) > 64:
        errors["job_reference"] = [_("The job reference is at most 64 characters long.")]
    else:
        taken = JobOffer.objects.filter(job_reference__iexact=job["job_reference"])
        if item is not None:
            taken = taken.exclude(item_id=item.pk)
        if taken.exists():
            errors["job_reference"] = [
                _("Another job offer already has the reference %(reference)s: check it in the ATS.")
                % {"reference": job["job_reference"]}
            ]
    if not job["place"]:
        errors["place"] = [_("Say where the job is: a branch or a city.")]
    if job["contract_type"] not in JobOffer.ContractType.values:
        errors["contract_type"] = [_("Choose the type of contract.")]
    closes_on = job["closes_on"]
    if not isinstance(closes_on, dt.date):
        errors["closes_on"] = [_("Give the closing date of the offer.")]
    elif closes_on < timezone.localdate():
        errors["closes_on"] = [_("The closing date is in the past: choose today or a later date.")]
    if "link_url" in data and not data.get("link_url"):
        errors.setdefault("link_url", []).append(
            _("A job offer needs its apply link: the page of the offer in the applicant-tracking system.")
        )
    if errors:
        raise ValidationError(errors)
    from advocacy.org.models import Branch

    place = job["place"]
    job["branch"] = Branch.objects.filter(code__iexact=place).first() or (
        Branch.objects.filter(name__iexact=place).first()
    )
    return job


def closing_moment(closes_on: dt.date) -> dt.datetime:
    """When an offer closing on ``closes_on`` expires: the end of that day in the bank's time zone."""
    next_day = dt.datetime.combine(closes_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(next_day, timezone.get_default_timezone())


def _split_job_fields(data: dict[str, Any], *, category: str, item: ContentItem | None) -> dict | None:
    """Take the job fields out of ``data``; for a job offer, validate them and make the item expire when the
    offer closes (its ``expires_at``: expiry is then the ordinary content expiry)."""
    given = {name: data.pop(name) for name in JOB_FIELDS if name in data}
    if category != Category.RECRUITMENT:
        return None
    job = clean_job_fields(
        {**given, **({"link_url": data["link_url"]} if "link_url" in data else {})}, item=item
    )
    data["expires_at"] = closing_moment(job["closes_on"])
    if data.get("valid_from") is not None and data["valid_from"] >= data["expires_at"]:
        raise ValidationError(
            {"closes_on": [_("The offer must close after it becomes valid: choose a later closing date.")]}
        )
    return job


def _save_job_offer(item: ContentItem, job: dict | None) -> None:
    if job is None:
        JobOffer.objects.filter(
            item=item
        ).delete()  # no longer a job offer (category changed before approval)
        return
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable to roll back whole
            JobOffer.objects.update_or_create(item=item, defaults=job)
    except IntegrityError:
        # Another offer took this reference (in any letter case: job_offer_reference_ci) after
        # clean_job_fields looked: the same refusal as the form's, and the whole edit rolled back.
        taken = JobOffer.objects.filter(job_reference__iexact=job["job_reference"]).exclude(item=item)
        if not taken.exists():
            raise
        raise ValidationError(
            {
                "job_reference": [
                    _("Another job offer already has the reference %(reference)s: check it in the ATS.")
                    % {"reference": job["job_reference"]}
                ]
            }
        ) from None


def _length_errors(version_data: dict[str, Any]) -> None:
    """Every wording must fit on X together with the disclosure, label and link."""
    wordings = [version_data["text"], *version_data.get("variants", [])]
    for number, wording in enumerate(wordings):
        try:
            validation.validate_length(
                wording,
                disclosure=version_data.get("disclosure", ""),
                label=version_data.get("label", ""),
                link_url=version_data.get("link_url", ""),
            )
        except ValidationError as exc:
            raise ValidationError({"text" if number == 0 else "variants": exc.messages}) from None


def _write_version(*, item: ContentItem, actor, data: dict[str, Any]) -> ContentVersion:
    number = (ContentVersion.objects.filter(item=item).aggregate(n=Max("number"))["n"] or 0) + 1
    version = ContentVersion.objects.create(
        item=item,
        number=number,
        text=data["text"],
        disclosure=data.get("disclosure", ""),
        label=data.get("label", ""),
        link_url=data.get("link_url", ""),
        created_by=actor,
    )
    ContentVariant.objects.bulk_create(
        [
            ContentVariant(version=version, position=i, text=t)
            for i, t in enumerate(data.get("variants", []), 1)
        ]
    )
    return version


def _set_audience(item: ContentItem, data: dict[str, Any]) -> None:
    if "audience_regions" in data:
        item.audience_regions.set(data["audience_regions"])
    if "audience_branches" in data:
        item.audience_branches.set(data["audience_branches"])
    if "audience_roles" in data:
        wanted = set(data["audience_roles"])
        item.audience_roles.exclude(role__in=wanted).delete()
        have = set(item.audience_roles.values_list("role", flat=True))
        AudienceRole.objects.bulk_create([AudienceRole(item=item, role=r) for r in sorted(wanted - have)])


@transaction.atomic
def create_item(*, actor, origin: str, **fields: Any) -> ContentItem:
    """A new library item (compliance, marketing) or adviser draft, with its first version, in draft."""
    allowed = (
        policies.can_author_library(actor) if origin == Origin.LIBRARY else policies.can_write_drafts(actor)
    )
    if allowed and origin == Origin.LIBRARY:
        allowed = policies.can_author_category(actor, fields.get("category", ""))
    if not allowed:
        raise workflow.NotAllowed(_("You may not write this kind of content."))
    fields.setdefault("variants", [])
    job_given = {name: fields.pop(name) for name in JOB_FIELDS if name in fields}
    data = clean_fields(fields, origin=origin)
    job = None
    if origin == Origin.LIBRARY:
        data.update(job_given)
        job = _split_job_fields(data, category=data.get("category", ""), item=None)
    _length_errors(data)
    item = ContentItem.objects.create(
        origin=origin,
        author=actor,
        status=ItemStatus.DRAFT,
        **{k: data[k] for k in ITEM_FIELDS if k in data},
    )
    if origin == Origin.ADVISER_DRAFT:
        item.audience_whole_bank = False
        item.save(update_fields=["audience_whole_bank"])
    _set_audience(item, data)
    version = _write_version(item=item, actor=actor, data=data)
    item.current_version = version
    item.save(update_fields=["current_version"])
    if job is not None:
        _save_job_offer(item, job)
    record(
        "content.created",
        subject=item,
        actor=actor,
        payload={
            "item": item.pk,
            "origin": origin,
            "category": item.category,
            "title": item.title,
            **({"job_offer": _job_payload(job)} if job else {}),
        },
    )
    record(
        "content.version_created",
        subject=version,
        actor=actor,
        payload={
            "item": item.pk,
            "version_id": version.pk,
            "version_number": version.number,
            "text": version.text,
            "link_url": version.link_url,
            "variants": data.get("variants", []),
        },
    )
    return item


def _job_payload(job: dict) -> dict:
    return {
        "job_reference": job["job_reference"],
        "place": job["place"],
        "branch": job["branch"].pk if job.get("branch") else None,
        "contract_type": job["contract_type"],
        "closes_on": job["closes_on"].isoformat(),
    }


def _current_job(item: ContentItem) -> dict[str, Any]:
    offer = JobOffer.objects.filter(item=item).first()
    return {name: (getattr(offer, name) if offer else None) for name in JOB_FIELDS}


def _current_values(item: ContentItem) -> dict[str, Any]:
    version = item.current_version
    return {
        **_current_job(item),
        **{k: getattr(item, k) for k in ITEM_FIELDS},
        "audience_regions": set(item.audience_regions.values_list("pk", flat=True)),
        "audience_branches": set(item.audience_branches.values_list("pk", flat=True)),
        "audience_roles": set(item.audience_roles.values_list("role", flat=True)),
        "text": version.text,
        "disclosure": version.disclosure,
        "label": version.label,
        "link_url": version.link_url,
        "variants": list(version.variants.order_by("position").values_list("text", flat=True)),
    }


def _comparable(name: str, value: Any) -> Any:
    if name in ("audience_regions", "audience_branches"):
        return {getattr(v, "pk", v) for v in value}
    if name == "audience_roles":
        return set(value)
    if name == "image":
        return getattr(value, "name", value) or ""
    return value


@transaction.atomic
def edit_item(*, item: ContentItem, actor, **fields: Any) -> ContentVersion:
    """Change an item. Any change writes a new version and sends the item back to draft: an approval covers
    the texts of the version it was given to, never the next one. Returns the (new or unchanged) current
    version; nothing is written when nothing changed."""
    locked = ContentItem.objects.select_for_update(of=("self",)).select_related("current_version")
    item = locked.get(pk=item.pk)
    if not policies.can_edit(actor, item):
        if item.status not in policies.EDITABLE_STATUSES:
            raise workflow.InvalidTransition(_("This content can no longer be edited."))
        raise workflow.NotAllowed(_("You may not edit this content."))
    current = _current_values(item)
    if "image" in fields and fields["image"] is None:
        fields.pop("image")  # no new upload: keep the current image (False, from a cleared input, removes it)
    if fields.get("image") is False:
        fields["image"] = ""
    if "image" in fields and "image_alt" not in fields:
        fields["image_alt"] = current["image_alt"]
    if (
        item.origin == Origin.LIBRARY
        and "category" in fields
        and not policies.can_author_category(actor, fields["category"])
    ):
        raise workflow.NotAllowed(_("You may not write this kind of content."))
    job_given = {name: fields.pop(name) for name in JOB_FIELDS if name in fields}
    data = clean_fields(fields, origin=item.origin)
    job = None
    category = data.get("category", item.category)
    if current["job_reference"] is not None and category != Category.RECRUITMENT:
        # Kept, not deleted: shares, clicks and applications are attributed through the offer.
        raise ValidationError(
            {"category": [_("A job offer stays a job offer: write a new item for other content.")]}
        )
    if item.origin == Origin.LIBRARY and (job_given or category == Category.RECRUITMENT):
        data.update({**{k: current[k] for k in JOB_FIELDS if current[k] is not None}, **job_given})
        data.setdefault("link_url", current["link_url"])
        job = _split_job_fields(data, category=category, item=item)
        if job is not None:
            data.update({k: job[k] for k in JOB_FIELDS})
    changed = sorted(k for k, v in data.items() if _comparable(k, v) != _comparable(k, current[k]))
    if not changed:
        return item.current_version
    version_data = {k: data.get(k, current[k]) for k in VERSION_FIELDS}
    _length_errors(version_data)
    for name in ITEM_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    item.save(update_fields=[*(n for n in ITEM_FIELDS if n in data), "updated_at"])
    _set_audience(item, data)
    if job is not None:
        _save_job_offer(item, job)
    version = _write_version(item=item, actor=actor, data=version_data)
    workflow.begin_new_version(item=item, version=version, actor=actor)
    record(
        "content.edited",
        subject=item,
        actor=actor,
        payload={
            "item": item.pk,
            "version_id": version.pk,
            "version_number": version.number,
            "changed": changed,
            **({"job_offer": _job_payload(job)} if job else {}),
        },
    )
    return version


@dataclass(frozen=True)
class Saved:
    """What ``save_item`` did: the saved item, and whether it was submitted (else why not, if asked)."""

    item: ContentItem
    submitted: bool = False
    refusal: workflow.WorkflowError | None = None


def save_item(
    *, actor, item: ContentItem | None = None, origin: str = "", submit: bool = False, **fields: Any
) -> Saved:
    """Create (``item`` None, of ``origin``) or edit an item, then submit it for review when asked.

    The save is committed before the submission is tried, on purpose: a submission the checks refuse leaves
    the author's words saved ("fix the problems below, your draft is saved"). So a refused save raises
    (``ValidationError``, ``WorkflowError``: nothing written), while a refused submission is returned in
    ``refusal`` (``BlockingFindings`` carries the findings to show).
    """
    if item is None:
        item = create_item(actor=actor, origin=origin, **fields)
    else:
        edit_item(item=item, actor=actor, **fields)
        item.refresh_from_db()
    return submit_item(item=item, actor=actor) if submit else Saved(item=item)


def submit_item(*, item: ContentItem, actor) -> Saved:
    """Submit the item's current version; a refusal is returned, not raised (see ``save_item``)."""
    try:
        workflow.submit_for_review(version=item.current_version, actor=actor)
    except workflow.WorkflowError as exc:
        return Saved(item=item, refusal=exc)
    return Saved(item=item, submitted=True)


def expire_due_items(*, now=None) -> list[int]:
    """Expire every approved item whose end date has passed. Safe to run twice or on two workers:
    ``expire_item`` locks each row and refuses one that is no longer approved."""
    now = now or timezone.now()
    due = ContentItem.objects.filter(status=ItemStatus.APPROVED, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    expired = []
    for pk in list(due):
        try:
            workflow.expire_item(item=ContentItem(pk=pk))
        except workflow.InvalidTransition:
            continue
        expired.append(pk)
    return expired
