from tests.archive.conftest import postgresql  # noqa: F401 - fixture
from tests.publishing.conftest import connect, make_item, sandbox  # noqa: F401 - fixtures
