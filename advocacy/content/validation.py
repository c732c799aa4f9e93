"""What makes post content acceptable before any review: shared by the forms (one message per field, saying
what is wrong and how to fix it) and by the services (so the shell, tasks and admin get the same rules).

These are the rules of the *form* of a post (empty, too long, HTML, link domain, dates, duplicates); the
compliance lexicon and disclosure rules are the automatic checks (``advocacy.content.compliance_checks``,
provided by the review app). The bank's link domains and length limit are ``ComplianceSettings``, a
content model for that reason: this module reads them without importing ``compliance.review``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy import texts
from advocacy.content.models import ComplianceSettings


def allowed_link_domains() -> list[str]:
    return [
        d.strip().lower().lstrip(".") for d in ComplianceSettings.current().allowed_domains or () if d.strip()
    ]


def max_weighted_length() -> int:
    return ComplianceSettings.current().max_weighted_length


def validate_post_text(text: str, *, allow_slots: bool = True) -> str:
    text = texts.normalise(text)
    if not text:
        raise ValidationError(_("Write the text of the post: it is empty."), code="empty")
    if texts.contains_tags(text):
        raise ValidationError(
            _("Posts on X are plain text: remove the HTML tags (text between < and >)."), code="html"
        )
    unknown = texts.unknown_slots(text)
    if unknown:
        raise ValidationError(
            _(
                "Unknown slot {%(slot)s}: only {first_name} and {branch_city} can be filled in. "
                "Remove the braces or use one of these."
            ),
            params={"slot": unknown[0]},
            code="slot",
        )
    if not allow_slots and texts.is_template(text):
        raise ValidationError(
            _("Slots such as {first_name} are for library templates: write the words yourself."), code="slot"
        )
    return text


def validate_link(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter a full web address starting with https://."), code="link")
    host = parts.hostname.lower()
    domains = allowed_link_domains()
    if not any(host == d or host.endswith("." + d) for d in domains):
        if domains:
            message = _("Links may only point to %(domains)s. Use a page on one of these sites.") % {
                "domains": ", ".join(domains)
            }
        else:
            message = _("No link domain is allowed yet: remove the link or ask compliance to allow the site.")
        raise ValidationError(message, code="link_domain")
    return url


def validate_dates(valid_from, expires_at, *, now=None) -> None:
    now = now or timezone.now()
    errors = {}
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("The expiry date is in the past: choose a later date, or leave it empty.")
    elif expires_at is not None and valid_from is not None and expires_at <= valid_from:
        errors["expires_at"] = _(
            "The content must expire after it becomes valid: choose a later expiry date."
        )
    if errors:
        raise ValidationError(errors)


def validate_variants(base: str, variants: list[str]) -> list[str]:
    """Each variant is validated like a post; the same wording twice (or equal to the base) is refused."""
    seen = {texts.normalise(base).casefold()}
    cleaned = []
    for number, variant in enumerate(variants, start=1):
        variant = validate_post_text(variant)
        key = variant.casefold()
        if key in seen:
            raise ValidationError(
                _("Variant %(number)s repeats another wording. Each variant must say it differently."),
                params={"number": number},
                code="duplicate_variant",
            )
        seen.add(key)
        cleaned.append(variant)
    return cleaned


def longest_slot_values() -> dict[str, str]:
    """The longest first name and branch city in the bank: a template must fit with any of them."""
    from django.contrib.auth import get_user_model
    from django.db.models.functions import Length

    from advocacy.org.models import Branch

    user_model = get_user_model()
    name = (
        user_model.objects.filter(is_active=True)
        .order_by(Length("first_name").desc())
        .values_list("first_name", flat=True)
        .first()
    )
    city = Branch.objects.order_by(Length("city").desc()).values_list("city", flat=True).first()
    return {"first_name": name or "", "branch_city": city or ""}


def longest_text(wording: str, *, disclosure: str, label: str, link_url: str) -> str:
    """The longest post this wording can produce: a template filled with the longest slot values, then
    composed with disclosure, label and link. What the length rule and the editor's live counter weigh."""
    filled = texts.fill(wording, longest_slot_values()) if texts.is_template(wording) else wording
    return texts.compose(filled, disclosure=disclosure, label=label, link_url=link_url)


def validate_length(
    wording: str, *, disclosure: str, label: str, link_url: str, limit: int | None = None
) -> int:
    """The weighted length of the longest text this wording can produce, refused when over the limit."""
    limit = limit or max_weighted_length()
    longest = longest_text(wording, disclosure=disclosure, label=label, link_url=link_url)
    length = texts.weighted_length(longest)
    if length > limit:
        raise ValidationError(
            _(
                "With the disclosure, label and link the post counts %(length)s of %(limit)s characters "
                "on X: shorten it by %(excess)s."
            ),
            params={"length": length, "limit": limit, "excess": length - limit},
            code="too_long",
        )
    return length
