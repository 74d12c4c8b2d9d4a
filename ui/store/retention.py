"""Retention: classes (with their students and answers) and stored models are deleted once past their expiry.

purge_expired runs at most every 10 minutes per process, when a class starts or a model is stored (maybe_purge).
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from ui.store.db import writing
from ui.store.schema import attempts, classes, models, reveals, students

__all__ = ["purge_expired", "maybe_purge", "delete_classes"]

_PURGE_EVERY = 600.0
_last_purge = [0.0]


def maybe_purge(now: float) -> None:
    """purge_expired(), at most every 10 minutes per process (called when classes start and models are stored)."""
    if now - _last_purge[0] > _PURGE_EVERY:
        _last_purge[0] = now
        purge_expired(now)


def delete_classes(conn, ids: list[int]) -> None:
    for table in (attempts, reveals, students):
        conn.execute(table.delete().where(table.c.class_id.in_(ids)))
    conn.execute(classes.delete().where(classes.c.id.in_(ids)))


def purge_expired(now: float | None = None) -> dict[str, int]:
    """Delete the classes (with their students and answers) and the stored models past their retention."""
    now = time.time() if now is None else now
    with writing() as conn:
        ids = list(conn.execute(sa.select(classes.c.id).where(classes.c.expires_at < now)).scalars())
        if ids:
            delete_classes(conn, ids)
        gone = conn.execute(models.delete().where(models.c.expires_at < now)).rowcount
    return {"classes": len(ids), "models": gone}
