"""Which sent replies enter the queue: a deterministic sample at a per-adviser rate.

Deterministic so that it can be tested and audited: a reply is in the sample when a keyed hash of its id
(HMAC-SHA256 with the project's secret key, so an adviser cannot predict which of their replies will be
read) falls below the rate. Over many replies the share sampled is the rate; the same reply always gives
the same answer. Flags bypass the sample (``services.supervise_reply``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac

from compliance.supervision.models import SamplingRate

_SPACE = 2**64


def sample_point(reply_id: int) -> int:
    """Where the reply falls in [0, 2^64): the first 8 bytes of a keyed hash of its id."""
    digest = salted_hmac("relais.supervision.sample", f"reply:{reply_id}", algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big")


def is_sampled(reply_id: int, percent: int) -> bool:
    return sample_point(reply_id) * 100 < percent * _SPACE


def rate_for(adviser_id: int) -> int:
    """The adviser's rate: compliance's override, else ``SUPERVISION_SAMPLE_PERCENT``."""
    override = SamplingRate.objects.filter(adviser_id=adviser_id).values_list("percent", flat=True).first()
    return settings.SUPERVISION_SAMPLE_PERCENT if override is None else override
