from celery import shared_task

from advocacy.audience import services


@shared_task(ignore_result=True)
def refresh_sketches() -> int:
    """Beat: rebuild the follower sketches of accounts whose followers were read again."""
    return services.refresh_sketches()


@shared_task(ignore_result=True)
def rebuild_sketches_of(account_ids: list[int]) -> int:
    """After a client's erasure: rebuild the sketches of the accounts they followed, without them."""
    return services.rebuild_sketches_of(account_ids)
