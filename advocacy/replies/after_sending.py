"""What must happen with a reply once X holds it, beyond the reply itself: declared here, provided above.

Compliance's supervision queue (after-the-fact review of interactive content, FINRA Notice 17-18) samples
every sent reply. It sits above this app (it reads replies), so this app only declares the call and
``compliance.supervision.apps.SupervisionConfig.ready`` hands in its implementation at start-up, as content
does for the automatic checks. The call runs inside the transaction that records ``reply.sent``, in a
savepoint: the reply and its supervision entry commit together, and a failure of the entry is logged and
never turns a live reply into an unrecorded one (supervision's sweep picks such a reply up later).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

_provided: dict[str, Callable] = {}


def provide(*, reply_sent: Callable) -> None:
    _provided["reply_sent"] = reply_sent


def reply_sent(reply) -> None:
    hook = _provided.get("reply_sent")
    if hook is None:
        logger.warning("reply %s sent with no supervision installed", reply.pk)
        return
    try:
        with transaction.atomic():
            hook(reply)
    except Exception:
        logger.exception("reply %s: supervision entry failed (the sweep will retry it)", reply.pk)
