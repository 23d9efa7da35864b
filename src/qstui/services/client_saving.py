"""``editing(ctx, Model, id)``: ``persist.writing`` for a change of one known row, whose
write conflicts always end as ``Conflict`` naming who saved the row last.

Why not ``writing`` alone: when Firebird refuses the UPDATE of a row another open
transaction holds (lock timeout, update conflict), the failed flush leaves the session
unusable, and ``persist.apply_changes`` then fails with SQLAlchemy's
``InvalidRequestError`` while reading ``obj.id`` to describe the conflict — which
``writing`` does not recognise. Here the error chain is searched for the database
conflict and the message is read in a fresh session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from qstui.db.errors import is_conflict
from qstui.domain.errors import Conflict
from qstui.services.context import Context
from qstui.services.persist import fresh_conflict, writing


def _conflict_in_chain(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 20:
        if is_conflict(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


@contextmanager
def editing(ctx: Context, model: Any, ident: int) -> Iterator[Session]:
    try:
        with writing(ctx) as session:
            yield session
    except Conflict as exc:
        if exc.changed_by is None and exc.changed_at is None:
            raise fresh_conflict(ctx, model, ident) from exc
        raise
    except Exception as exc:
        if _conflict_in_chain(exc):
            raise fresh_conflict(ctx, model, ident) from exc
        raise
