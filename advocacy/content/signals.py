"""What content tells the apps built on it, without knowing them.

``item_recalled`` is sent after a recall commits, in the process that made it (``workflow.recall_item``).
The apps above content listen (``ready()``): tracked links stop at once in every web process
(``advocacy.links``) and the share engine cancels pending shares and deletes live posts (``advocacy.shares``,
which also sweeps recalled items on the beat in case this process died before the signal). Content imports
neither of them: the dependency goes one way, up.
"""

from django.dispatch import Signal

item_recalled = Signal()  # keyword argument: item_id
