"""The apply link of a shared job offer: the approved URL plus the ATS's source parameters for this share.

Registered with ``advocacy.links.destinations.add_destination_shaper`` (``apps.RecruitmentConfig.ready``):
the tracked-link lookup calls ``apply_destination`` on a cache miss only, and caches what it returns for
``CACHE_SECONDS`` like any destination, so a job offer's link costs the same per click as any other. A
changed ATS profile therefore reaches links within ``CACHE_SECONDS`` (60 s).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from advocacy.content.models import Category
from advocacy.links.destinations import with_utm
from advocacy.recruitment.models import ATSProfile
from advocacy.recruitment.references import reference_for


def profile_for(item_id: int) -> ATSProfile | None:
    """The profile that names this job offer, else the one for every job offer (the oldest), else None."""
    named = ATSProfile.objects.filter(items=item_id).order_by("pk").first()
    return named or ATSProfile.objects.filter(applies_to_all=True).order_by("pk").first()


def with_ats_parameters(url: str, *, profile: ATSProfile, item_id: int, share_id: int) -> str:
    """``url`` with the profile's parameters carrying the share's reference (a list value repeats the
    parameter); Relais's UTM parameters too unless the profile replaces them. Parameters already in the
    approved URL under the same names are replaced, the others kept."""
    if not profile.replace_utm:
        url = with_utm(url, item_id=item_id, share_id=share_id)
    reference = reference_for(share_id)
    names = set(profile.parameters)
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    for name, template in profile.parameters.items():
        for value in template if isinstance(template, list) else [template]:
            query.append((name, str(value).replace("{ref}", reference)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def apply_destination(share) -> str | None:
    """The shaper: None for anything but a job offer with an ATS profile (the link then gets UTM)."""
    if share.item.category != Category.RECRUITMENT:
        return None
    profile = profile_for(share.item.pk)
    if profile is None:
        return None
    return with_ats_parameters(
        share.version.link_url, profile=profile, item_id=share.item.pk, share_id=share.pk
    )
