"""A connected adviser with a client's mention captured by a real polling round (tweepy to the sandbox)."""

from __future__ import annotations

import pytest

from advocacy.relationships.models import Interaction
from advocacy.relationships.polling import poll_round
from tests.networks.conftest import receiver  # noqa: F401 - fixture
from tests.publishing.conftest import connect, sandbox, worker_connections_closed  # noqa: F401 - fixtures

IBAN = "FR76 3000 6000 0112 3456 7890 189"
LEA_WITH_IBAN = f"@camille_x Bonjour, mon virement n'est pas arrivé, mon IBAN est {IBAN}"


@pytest.fixture
def account(adviser, connect):  # noqa: F811 - the imported fixture
    return connect(adviser, "camille_x")


@pytest.fixture
def mention(sandbox, account, adviser):  # noqa: F811 - the imported fixture
    """Someone mentions the adviser on X (by default Léa, in public, giving her IBAN); one polling round
    captures it. Returns the stored interaction."""

    def make(text: str = LEA_WITH_IBAN, author: str = "client_lea") -> Interaction:
        tweet = sandbox.state.add_mention(author, "camille_x", text)
        poll_round()
        return Interaction.objects.get(adviser=adviser, post_id=tweet["id"])

    return make
