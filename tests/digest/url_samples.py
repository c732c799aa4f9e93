"""URL arguments for the digest routes (see tests/portal/url_samples.py)."""

from advocacy.digest.sending import unsubscribe_token
from advocacy.org.models import Role

SAMPLES: dict = {
    "digest:unsubscribe": lambda personas: {"token": unsubscribe_token(personas[Role.ADVISER])},
}
