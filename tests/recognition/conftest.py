from tests.publishing.conftest import connect, make_item, sandbox  # noqa: F401 - fixtures
