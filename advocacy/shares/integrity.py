"""Do the shares and the archive tell the same story? (``manage.py verify_shares``, and the reliability test)

Two invariants an examiner relies on:
- every share's archived events replay (``transitions.replayed_status``) to the status the share is in;
- every post id a share holds has exactly one ``share.published`` record, and every ``share.published``
  record belongs to a share holding that post id (a post live on X with no record is the worst failure of an
  archive: the reliability test also compares the X sandbox's live posts with these records).

It reads the archive once, in ``seq`` order, and the shares once, both as streams of tuples.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from advocacy.shares.models import Share, ShareStatus
from advocacy.shares.transitions import EVENT_STATUS
from compliance.archive.models import ArchiveRecord

CHUNK = 5000


@dataclass
class ShareCheck:
    shares: int = 0
    events: int = 0
    published_records: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_shares(*, limit_problems: int = 100) -> ShareCheck:
    result = ShareCheck()
    prefix = f"{Share._meta.label_lower}:"
    replayed: dict[int, str] = {}
    published: Counter[str] = Counter()
    published_by: dict[str, int] = {}
    records = (
        ArchiveRecord.objects.filter(event_type__in=list(EVENT_STATUS), subject_ref__startswith=prefix)
        .order_by("seq")
        .values_list("subject_ref", "event_type", "network_post_id")
        .iterator(chunk_size=CHUNK)
    )
    for subject_ref, event_type, post_id in records:
        result.events += 1
        share_id = int(subject_ref[len(prefix) :])
        replayed[share_id] = EVENT_STATUS[event_type]
        if event_type == "share.published":
            result.published_records += 1
            published[post_id] += 1
            published_by[post_id] = share_id

    def problem(message: str) -> None:
        if len(result.problems) < limit_problems:
            result.problems.append(message)

    holders: dict[str, int] = {}
    shares = Share.objects.order_by("pk").values_list("pk", "status", "network_post_id").iterator(CHUNK)
    for share_id, status, post_id in shares:
        result.shares += 1
        expected = replayed.get(share_id, ShareStatus.SCHEDULED)
        if expected != status:
            problem(f"share {share_id}: status {status}, but its archived events replay to {expected}")
        if post_id:
            holders[post_id] = share_id
            if published[post_id] != 1:
                problem(f"share {share_id}: post {post_id} has {published[post_id]} share.published records")
    for post_id, share_id in published_by.items():
        if holders.get(post_id) != share_id:
            problem(f"share.published for post {post_id} (share {share_id}): no share holds that post")
    return result
