"""One sketch per X account: its follower count and a HyperLogLog sketch of its followers' keyed hashes.

Built from the follower snapshots the inbound capture already keeps (``relationships.Follower``, read whole
by ``polling.poll_followers``), never from a call of our own to X. Rebuilt when a newer complete reading
exists (``services.refresh_sketches``), and after a client's erasure removed follower rows of its account
(``services.followers_erased``: a HyperLogLog cannot forget one follower). With ``REDIS_URL`` the sketch
itself lives in Redis (a HyperLogLog key per account, merged by ``PFCOUNT``) and ``sketch`` stays empty; on
the embedded default it is a DataSketches HLL, serialised here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowerSketch(models.Model):
    account = models.OneToOneField(
        "xnetwork.XAccount",
        on_delete=models.CASCADE,
        related_name="audience_sketch",
        verbose_name=_("X account"),
    )
    followers = models.PositiveIntegerField(_("followers"))
    # The start of the complete reading of followers this sketch was built from (CaptureCursor).
    read_at = models.DateTimeField(_("followers read"))
    sketch = models.BinaryField(_("sketch"), blank=True, default=b"")
    # Where the sketch is ("redis" or "datasketches") and under which hash key it was built: a sketch built
    # elsewhere or under another key is rebuilt, never merged with the others.
    backend = models.CharField(_("backend"), max_length=16)
    key_fingerprint = models.CharField(_("hash key"), max_length=16)
    built_at = models.DateTimeField(_("built"), auto_now=True)

    class Meta:
        verbose_name = _("follower sketch")
        verbose_name_plural = _("follower sketches")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.followers}"
