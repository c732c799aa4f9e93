"""What the share engine announces to the apps above it, without knowing them.

``item_shares_recalled`` is sent when the share engine deals with a recalled item's shares (``recall``:
the task a recall enqueues, and the beat's sweep of recalled items nobody handled). Tracked links
(``advocacy.links``) mark the item's links dead again: the recall's own signal
(``content.signals.item_recalled``) did it on commit, unless the recalling process died first.
"""

from django.dispatch import Signal

item_shares_recalled = Signal()  # keyword argument: item_id
