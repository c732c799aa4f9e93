"""The environment of a separate process running on the embedded default: a SQLite file and the filesystem
broker under ``tmp_path``, no PostgreSQL or Redis from the surrounding run (tests of what several real
processes sharing one SQLite file do)."""

from __future__ import annotations

import os


def embedded_env(tmp_path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        RELAIS_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/relais.sqlite3",
        DJANGO_SETTINGS_MODULE="advocacy.settings",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env
