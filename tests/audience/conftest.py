from tests.networks.conftest import receiver  # noqa: F401 - fixture
from tests.publishing.conftest import connect, sandbox  # noqa: F401 - fixtures
from tests.relationships.helpers import clock  # noqa: F401 - fixture
