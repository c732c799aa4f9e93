from celery import shared_task

from advocacy.audience import services


@shared_task(ignore_result=True)
def refresh_sketches() -> int:
    """Beat: rebuild the follower sketches of accounts whose followers were read again."""
    return services.refresh_sketches()
