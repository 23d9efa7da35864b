"""Writing the word index (``search_words``): an object's words are replaced (delete +
batched insert) in the caller's transaction, for any number of objects of one kind at
once. The words themselves are made only by ``search.index``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete
from sqlalchemy.orm import Session

from qstui.db.bulk import insert_rows
from qstui.db.compat import chunks, id_in
from qstui.db.models import SearchWord
from qstui.services.search import index as si


def replace_words(
    session: Session, kind: str, words: Mapping[int, tuple[int | None, Iterable[str]]]
) -> None:
    """Replace the rows of objects ``kind``/id with ``words[id] = (company_id, words)``."""
    ids = sorted(words)
    for chunk in chunks(ids):
        session.execute(
            delete(SearchWord)
            .where(SearchWord.object_kind == kind, id_in(SearchWord.object_id, chunk))
            .execution_options(synchronize_session=False)
        )
    rows = [
        row
        for object_id in ids
        for row in si.rows(kind, object_id, words[object_id][0], words[object_id][1])
    ]
    insert_rows(session.connection(), SearchWord.__table__, rows)
