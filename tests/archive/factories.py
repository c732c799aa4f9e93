from compliance.archive.services import record


def fill(n: int, *, event_type: str = "test.event", **kwargs) -> list:
    return [
        record(event_type, payload={"n": i, **kwargs.pop("payload", {})}, **kwargs) for i in range(1, n + 1)
    ]
