"""Roster files as HR writes them."""

from __future__ import annotations

import pytest

HEADER = "employee_id,email,first_name,last_name,branch_code,roles,language"


def roster_csv(*rows: str, header: str = HEADER, delimiter: str = ",", encoding: str = "utf-8",
               bom: bool = False) -> bytes:
    text = "\r\n".join([header.replace(",", delimiter), *rows]) + "\r\n"
    data = text.encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def many_rows(count: int, *, start: int = 0, branch: str = "LIL01") -> list[str]:
    return [f"N{n:06d},new{n}@bank.test,First{n},Last{n},{branch},adviser,fr"
            for n in range(start, start + count)]


@pytest.fixture
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from advocacy.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
