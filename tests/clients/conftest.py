from tests.publishing.conftest import connect, sandbox  # noqa: F401 - fixtures
