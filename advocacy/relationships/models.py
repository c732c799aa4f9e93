"""The relationship store: every interaction with an adviser's account, once.

Kept apart from the regulatory archive because it is erasable relationship data (GDPR art. 17): the
archive keeps the public inbound posts themselves (``inbound.received``), this store keeps who did what to
whom so that the adviser's timeline, signals and prospects can be drawn and erased. Follows, likes and
reposts live only here (they are not personal communications).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Interaction(models.Model):
    """One thing someone did to an adviser's account, as the network identifies it.

    ``(adviser, key)`` is unique: ``key`` is the network's own identity of the event (see
    ``advocacy.networks.interface.Activity``) prefixed by its family (``post:``, ``like:``, ``follow:``,
    ``unfollow:``), so a webhook delivery replayed, or a poll that sees as a mention what the webhook called
    a reply, stores nothing new.
    """

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply")
        QUOTE = "quote", _("Quote")
        REPOST = "repost", _("Repost")
        LIKE = "like", _("Like")
        FOLLOW = "follow", _("Follow")
        UNFOLLOW = "unfollow", _("Unfollow")

    # What a reply from Relais can answer (advocacy.replies): a post, not a follow, a like or a repost.
    ANSWERABLE_KINDS = (Kind.MENTION, Kind.REPLY, Kind.QUOTE)

    class Via(models.TextChoices):
        WEBHOOK = "webhook", _("Pushed by the network")
        POLL = "poll", _("Found by polling")

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interactions",
        verbose_name=_("adviser"),
    )
    # The adviser's client this came from: set only when the author's X id is a consented client's
    # (``advocacy.clients.selectors.linked_by_x_user_id``); erasing the client deletes these rows.
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("client"),
    )
    network = models.CharField(_("network"), max_length=16, default="x")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("network key"), max_length=90)
    actor_id = models.CharField(_("author's network id"), max_length=32)
    actor_username = models.CharField(_("author's handle"), max_length=32, blank=True)
    actor_name = models.CharField(_("author's name"), max_length=100, blank=True)
    post_id = models.CharField(_("post id"), max_length=32, blank=True)
    text = models.TextField(_("text"), blank=True)
    target_post_id = models.CharField(_("adviser's post"), max_length=32, blank=True)
    conversation_id = models.CharField(_("conversation"), max_length=32, blank=True)
    occurred_at = models.DateTimeField(_("happened"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    via = models.CharField(_("arrived"), max_length=16, choices=Via.choices)
    # When the adviser answered this post from Relais (``answers.mark_answered``): the managers' "time to
    # answer a client" reads it, the inbox stops asking for an answer.
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(fields=["adviser", "key"], name="interaction_once"),
        ]
        indexes = [
            models.Index(fields=["adviser", "-id"], name="interaction_timeline"),
            models.Index(fields=["adviser", "actor_id"], name="interaction_by_person"),
            models.Index(fields=["client", "-id"], name="interaction_client_timeline"),
            models.Index(fields=["adviser", "occurred_at"], name="interaction_adviser_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @{self.actor_username or self.actor_id}"

    @property
    def answerable(self) -> bool:
        """The timeline's "Answer" link: an inbound post the adviser can reply to from Relais."""
        return self.kind in self.ANSWERABLE_KINDS and bool(self.post_id)

    @property
    def post_url(self) -> str:
        """The person's post on the network ('' for a follow or a like, which are not posts)."""
        if not self.post_id:
            return ""
        return settings.X_POST_URL_TEMPLATE.format(username=self.actor_username or "i", id=self.post_id)

    @property
    def target_post_url(self) -> str:
        """The adviser's post this interaction is about (liked, reposted, answered, quoted)."""
        if not self.target_post_id:
            return ""
        return settings.X_POST_URL_TEMPLATE.format(username="i", id=self.target_post_id)


class CaptureCursor(models.Model):
    """Where polling an account stopped: the newest mention read, so that the next round asks X only for
    newer ones (``since_id``) and no post is read, or billed, twice."""

    account = models.OneToOneField(
        "xnetwork.XAccount",
        on_delete=models.CASCADE,
        related_name="capture_cursor",
        verbose_name=_("X account"),
    )
    mentions_since_id = models.CharField(_("newest mention read"), max_length=32, blank=True)
    mentions_polled_at = models.DateTimeField(_("mentions last polled"), null=True, blank=True)
    # Followers are read whole, page by page (``polling.poll_followers``): when the reading in progress
    # started, the page token to go on from, and the start of the last complete reading (the baseline the
    # next one is diffed against; None until the first one completes).
    followers_started_at = models.DateTimeField(_("followers reading started"), null=True, blank=True)
    followers_next = models.CharField(_("followers page to read next"), max_length=128, blank=True)
    followers_complete_at = models.DateTimeField(_("followers last read in full"), null=True, blank=True)

    class Push(models.TextChoices):
        NONE = "", _("Not subscribed yet")
        ACTIVE = "active", _("X pushes this account's activity")
        OVER_LIMIT = "over_limit", _("Beyond the plan's subscription limit: polled instead")

    push = models.CharField(_("push delivery"), max_length=16, choices=Push.choices, blank=True)
    subscription_ids = models.TextField(_("X subscription ids"), blank=True)

    class Meta:
        verbose_name = _("capture cursor")
        verbose_name_plural = _("capture cursors")

    def __str__(self) -> str:
        return f"{self.account} > {self.mentions_since_id or '-'}"


class CaptureGap(models.Model):
    """A stretch of inbound activity Relais may have missed: X keeps only the latest 800 mentions reachable,
    so a round that pages that far without meeting the last one read records a gap rather than pretending."""

    account = models.ForeignKey(
        "xnetwork.XAccount",
        on_delete=models.CASCADE,
        related_name="capture_gaps",
        verbose_name=_("X account"),
    )
    kind = models.CharField(_("what"), max_length=20, default="mentions")
    after_id = models.CharField(_("after post"), max_length=32, blank=True)
    before_id = models.CharField(_("before post"), max_length=32, blank=True)
    detected_at = models.DateTimeField(_("detected"), auto_now_add=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("capture gap")
        verbose_name_plural = _("capture gaps")

    def __str__(self) -> str:
        return f"{self.account} {self.kind} {self.after_id}..{self.before_id}"

    @property
    def kind_label(self) -> str:
        return str(GAP_KINDS.get(self.kind, self.kind))


GAP_KINDS = {"mentions": _("Mentions")}


class WebhookDelivery(models.Model):
    """A signed delivery from X, stored as received and not yet ingested: the durable inbox between the
    webhook and ingestion.

    The webhook answers X once this row is committed (one INSERT), and workers ingest the inbox in
    batches (``inbox.drain``): X wants a fast answer and retries a slow one, and one transaction for a
    batch of events (one archive append for all its posts) is what lets ingestion keep up with a bank's
    whole adviser base. A row is deleted in the transaction that ingests it, so an event is either still
    here or stored (and archived), never both and never neither.
    """

    body = models.BinaryField(_("raw body"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    failed_at = models.DateTimeField(_("could not be ingested"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(failed_at=None), name="webhook_inbox_waiting"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.received_at:%Y-%m-%d %H:%M:%S})"


class Follower(models.Model):
    """Someone following an adviser's account at the last complete reading of its followers.

    Kept as ids, not only a count: the diff between two complete readings is the follows and unfollows
    (``polling.poll_followers``), and the bank's reach across advisers is a union of these ids. A row is
    deleted when its person is found to have unfollowed; ``last_seen`` is the start of the last reading
    that saw them, so a reading that stops half-way never makes anyone look gone.
    """

    account = models.ForeignKey(
        "xnetwork.XAccount", on_delete=models.CASCADE, related_name="followers", verbose_name=_("X account")
    )
    x_user_id = models.CharField(_("follower's X user id"), max_length=32)
    username = models.CharField(_("follower's handle"), max_length=32, blank=True)
    name = models.CharField(_("follower's name"), max_length=100, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["account", "x_user_id"], name="follower_once"),
        ]
        indexes = [
            models.Index(fields=["account", "last_seen"], name="follower_last_seen"),
            models.Index(fields=["x_user_id"], name="follower_by_user"),
        ]

    def __str__(self) -> str:
        return f"@{self.username or self.x_user_id} > {self.account_id}"


class ErasedFollower(models.Model):
    """A client erased while following one of their adviser's accounts: that account's follower readings
    no longer store them (``polling``), so the erasure is not undone by the next reading, nor turned into a
    "follow" that never happened. Only a keyed hash of the X user id is kept (``erasure.follower_digest``),
    never the id, handle or name."""

    account = models.ForeignKey(
        "xnetwork.XAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("X account")
    )
    digest = models.CharField(_("keyed hash of the follower's X user id"), max_length=64)
    erased_at = models.DateTimeField(_("erased"), auto_now_add=True)

    class Meta:
        verbose_name = _("erased follower")
        verbose_name_plural = _("erased followers")
        constraints = [models.UniqueConstraint(fields=["account", "digest"], name="erased_follower_once")]

    def __str__(self) -> str:
        return f"{self.digest[:12]} > {self.account_id}"


class Signal(models.Model):
    """Something in an adviser's inbox ("Client Léa replied to your post", "3 new people engaged"), unread
    until they mark it read. Created by ingestion (a client's post or follow) and by the weekly digest; the
    sentence is drawn when shown, in the reader's language. ``key`` makes each signal once per adviser."""

    class Kind(models.TextChoices):
        CLIENT_POST = "client_post", _("A client wrote to you")
        CLIENT_FOLLOW = "client_follow", _("A client followed you")
        NEW_PEOPLE = "new_people", _("New people engaged")

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="relationship_signals",
        verbose_name=_("adviser"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=64)
    # A client's signal: deleted with the client's relationship data on erasure (``erasure``).
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interaction"),
    )
    count = models.PositiveIntegerField(_("how many"), default=0)
    week = models.DateField(_("week of"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(fields=["adviser", "key"], name="signal_once"),
        ]
        indexes = [
            models.Index(fields=["adviser", "-id"], name="signal_inbox"),
            models.Index(fields=["adviser"], name="signal_unread", condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Engager(models.Model):
    """Everyone who engaged with an adviser's account, once per (adviser, person): how often, first and
    last time, kept up to date by ingestion in the transaction that stores the interactions.

    Prospects (ranked by engagement and recency) and the managers' "new prospects in 30 days" read this
    summary through its indexes instead of aggregating the adviser's whole history on every page view: an
    adviser with 170,000 interactions from 56,000 people took 3.5 s for the prospects page and 67 ms per
    adviser on the team page (bench_relationship_pages.py). Relationship data like the interactions it
    summarises: erased with the client.
    """

    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    actor_id = models.CharField(_("author's network id"), max_length=32)
    actor_username = models.CharField(_("author's handle"), max_length=32, blank=True)
    actor_name = models.CharField(_("author's name"), max_length=100, blank=True)
    engagements = models.PositiveIntegerField(_("engagements"), default=0)
    first_engaged_at = models.DateTimeField(_("first engaged"))
    last_engaged_at = models.DateTimeField(_("last engaged"))

    class Meta:
        verbose_name = _("person who engaged")
        verbose_name_plural = _("people who engaged")
        constraints = [models.UniqueConstraint(fields=["adviser", "actor_id"], name="engager_once")]
        indexes = [
            models.Index(
                "adviser",
                models.F("engagements").desc(),
                models.F("last_engaged_at").desc(),
                "actor_id",
                name="engager_ranking",
            ),
            models.Index(fields=["adviser", "first_engaged_at"], name="engager_first"),
        ]

    def __str__(self) -> str:
        return f"@{self.actor_username or self.actor_id} x{self.engagements}"
