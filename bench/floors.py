"""Floors: what the screens show, read by the shortest hand-written SQL through the same
driver — the least a query layer could cost. Each floor returns the keys the service
result is compared with (the ids shown, in order), so a fast figure cannot come from
reading less than the screen needs.

Visibility is written as a constant list of the user's visible managers (``Who.ids``;
None: everyone), the way a person writing the query by hand would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from qstui.db.compat import FIREBIRD

FIRST_PAGE = 100
HISTORY = 30
OVERDUE = 50
IDLE = 10
TOP = "\U0010ffff"


@dataclass(frozen=True)
class Who:
    user_id: int | None
    ids: tuple[int, ...] | None  # visible managers; None: everyone


class Sql:
    """The two dialects' spellings of a first-n and a prefix match."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.firebird = conn.dialect.name == FIREBIRD

    def first(self, n: int) -> str:
        return f" ROWS {int(n)}" if self.firebird else f" LIMIT {int(n)}"

    def prefix(self, column: str, value: str) -> tuple[str, list[Any]]:
        if self.firebird:
            return f"{column} STARTING WITH ?", [value]
        return f"({column} >= ? AND {column} < ?)", [value, value + TOP]

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if not self.firebird:  # SQLAlchemy's storage format of a DATETIME on SQLite
            params = [
                p.isoformat(" ", timespec="microseconds") if isinstance(p, datetime) else p
                for p in params
            ]
        return list(self.conn.exec_driver_sql(sql, tuple(params)).fetchall())


def _in(column: str, ids: Sequence[int]) -> str:
    return f"{column} IN ({', '.join(str(int(i)) for i in ids)})" if ids else "1 = 0"


def _visible(column: str, who: Who) -> str:
    return "1 = 1" if who.ids is None else _in(column, who.ids)


def _deal_visible(who: Who) -> str:
    """A deal (``d``) of a visible manager or of a visible company (``c``)."""
    if who.ids is None:
        return "1 = 1"
    return f"({_in('d.manager_id', who.ids)} OR {_in('c.manager_id', who.ids)})"


def _page_extras(q: Sql, ids: list[int]) -> None:
    """A client row's first phone and debt parts (its deals' summary columns), for a
    page."""
    if not ids:
        return
    q.rows(f"SELECT company_id, number FROM phones WHERE {_in('company_id', ids)}")
    q.rows(
        "SELECT company_id, currency_code, invoiced, shipped, paid FROM deals"
        f" WHERE {_in('company_id', ids)}"
    )


def client_page(q: Sql, who: Who) -> list[int]:
    rows = q.rows(
        "SELECT c.id, c.name, c.inn, c.city, u.full_name, c.last_contact_at, c.rating"
        " FROM companies c LEFT JOIN users u ON u.id = c.manager_id"
        f" WHERE {_visible('c.manager_id', who)} ORDER BY c.name_fold, c.id" + q.first(FIRST_PAGE)
    )
    ids = [r[0] for r in rows]
    _page_extras(q, ids)
    return ids


def quick_filter(q: Sql, who: Who, word: str) -> list[int]:
    by_word, p1 = q.prefix("word", word)
    by_city, p2 = q.prefix("city_fold", word)
    rows = q.rows(
        "SELECT c.id, c.name, c.inn, c.city, u.full_name, c.last_contact_at, c.rating"
        " FROM (SELECT company_id FROM search_words"
        f"  WHERE {by_word} AND object_kind IN ('company', 'contact')"
        f"  UNION SELECT id FROM companies WHERE {by_city}) m"
        " JOIN companies c ON c.id = m.company_id"
        " LEFT JOIN users u ON u.id = c.manager_id"
        f" WHERE {_visible('c.manager_id', who)} ORDER BY c.name_fold, c.id" + q.first(FIRST_PAGE),
        p1 + p2,
    )
    ids = [r[0] for r in rows]
    _page_extras(q, ids)
    return ids


def client_count(q: Sql, who: Who, cap: int) -> list[int]:
    """The list's total as a screen counts it: up to ``cap`` + 1 rows."""
    sql = f"SELECT id FROM companies WHERE {_visible('manager_id', who)}" + q.first(cap + 1)
    return [q.rows(f"SELECT COUNT(*) FROM ({sql}) AS x")[0][0]]


def find_words(q: Sql, who: Who, term: str, limit: int) -> list[int]:
    """The word index read a search cannot do without (not the same hits: ranking and
    titles are left out, so its ids are not compared)."""
    match, params = q.prefix("word", term)
    rows = q.rows(
        f"SELECT object_kind, object_id FROM search_words WHERE {match}"
        f" AND {_visible('company_id', who) if who.ids is not None else '1 = 1'}"
        " ORDER BY word" + q.first(limit),
        params,
    )
    return [r[1] for r in rows]


def client_card(q: Sql, who: Who, company_id: int) -> list[int]:
    head = q.rows(
        "SELECT c.*, u.full_name, r.name, i.name, s.name FROM companies c"
        " LEFT JOIN users u ON u.id = c.manager_id LEFT JOIN regions r ON r.id = c.region_id"
        " LEFT JOIN industries i ON i.id = c.industry_id"
        " LEFT JOIN sources s ON s.id = c.source_id"
        f" WHERE c.id = ? AND {_visible('c.manager_id', who)}",
        [company_id],
    )
    if not head:
        return []
    q.rows("SELECT * FROM contacts WHERE company_id = ?", [company_id])
    q.rows("SELECT * FROM phones WHERE company_id = ?", [company_id])
    q.rows("SELECT * FROM emails WHERE company_id = ?", [company_id])
    deals = q.rows(
        "SELECT d.id, d.title, d.status, st.name, d.amount, d.currency_code, d.started_on,"
        " d.closed_on, u.full_name, d.invoiced, d.shipped, d.paid"
        " FROM deals d LEFT JOIN stages st ON st.id = d.stage_id"
        " LEFT JOIN users u ON u.id = d.manager_id WHERE d.company_id = ?"
        " ORDER BY d.started_on DESC, d.id DESC",
        [company_id],
    )
    history = q.rows(
        "SELECT e.id, e.event_at, t.name, e.subject, e.result_text, u.full_name"
        " FROM events e JOIN event_types t ON t.id = e.type_id"
        " LEFT JOIN users u ON u.id = e.responsible_id"
        " WHERE e.company_id = ? AND e.status <> 'planned'"
        " ORDER BY e.event_at DESC, e.id DESC" + q.first(HISTORY),
        [company_id],
    )
    return [company_id, *(r[0] for r in deals), *(r[0] for r in history)]


def deal_list(q: Sql, who: Who, on: date) -> list[int]:
    visible = _deal_visible(who)
    # the page's ids from deals first (a join before the cut makes Firebird sort them all)
    page = (
        "SELECT d.id FROM deals d"
        + ("" if who.ids is None else " JOIN companies c ON c.id = d.company_id")
        + f" WHERE {visible} ORDER BY d.started_on DESC, d.id DESC"
        + q.first(FIRST_PAGE)
    )
    rows = q.rows(
        "SELECT d.id, d.title, c.name, u.full_name, st.name, d.status, d.started_on,"
        f" d.amount, d.currency_code FROM ({page}) p JOIN deals d ON d.id = p.id"
        " JOIN companies c ON c.id = d.company_id"
        " LEFT JOIN users u ON u.id = d.manager_id LEFT JOIN stages st ON st.id = d.stage_id"
        " ORDER BY d.started_on DESC, d.id DESC"
    )
    ids = [r[0] for r in rows]
    if ids:
        q.rows(
            "SELECT DISTINCT deal_id FROM deal_stages"
            f" WHERE {_in('deal_id', ids)} AND done_on IS NULL AND due_on < ?",
            [on],
        )
    return ids


def deal_card(q: Sql, who: Who, deal_id: int) -> list[int]:
    q.rows(
        "SELECT d.*, c.name, u.full_name, st.name FROM deals d"
        " JOIN companies c ON c.id = d.company_id LEFT JOIN users u ON u.id = d.manager_id"
        " LEFT JOIN stages st ON st.id = d.stage_id WHERE d.id = ?",
        [deal_id],
    )
    stages = q.rows(
        "SELECT ds.id, st.name, ds.due_on, ds.done_on FROM deal_stages ds"
        " JOIN stages st ON st.id = ds.stage_id WHERE ds.deal_id = ? ORDER BY ds.id",
        [deal_id],
    )
    q.rows("SELECT * FROM deal_items WHERE deal_id = ?", [deal_id])
    q.rows("SELECT * FROM payments WHERE deal_id = ?", [deal_id])
    q.rows("SELECT * FROM deal_documents WHERE deal_id = ?", [deal_id])
    return [deal_id, *(r[0] for r in stages)]


def today_page(q: Sql, who: Who, start: datetime, end: datetime, day: date, cap: int) -> list[int]:
    me = who.user_id
    plans = q.rows(
        "SELECT e.id, e.event_at, e.subject, c.name FROM events e"
        " LEFT JOIN companies c ON c.id = e.company_id"
        " WHERE e.responsible_id = ? AND e.status = 'planned' AND e.event_at >= ?"
        " AND e.event_at < ? ORDER BY e.event_at, e.id",
        [me, start, end],
    )
    overdue = q.rows(
        "SELECT e.id, e.event_at, e.subject, c.name FROM events e"
        " LEFT JOIN companies c ON c.id = e.company_id"
        " WHERE e.responsible_id = ? AND e.status = 'planned' AND e.event_at < ?"
        " ORDER BY e.event_at, e.id" + q.first(OVERDUE),
        [me, start],
    )
    q.rows(
        "SELECT COUNT(*) FROM (SELECT id FROM events WHERE responsible_id = ?"
        " AND status = 'planned' AND event_at < ?" + q.first(cap + 1) + ") AS x",
        [me, start],
    )
    stages = q.rows(
        "SELECT ds.id, d.title, c.name, st.name, ds.due_on FROM deal_stages ds"
        " JOIN deals d ON d.id = ds.deal_id JOIN companies c ON c.id = d.company_id"
        " JOIN stages st ON st.id = ds.stage_id"
        " WHERE ds.responsible_id = ? AND ds.deal_open = TRUE AND ds.done_on IS NULL"
        " AND ds.due_on < ?"
        f" AND d.status = 'open' AND {_deal_visible(who)}"
        " ORDER BY ds.due_on, ds.deal_id, ds.id" + q.first(OVERDUE),
        [me, day],
    )
    return [*(r[0] for r in plans), *(r[0] for r in overdue), *(r[0] for r in stages)]


def open_deal_totals(q: Sql, who: Who) -> list[Any]:
    rows = q.rows(
        "SELECT currency_code, COUNT(*), SUM(amount) FROM deals"
        " WHERE manager_id = ? AND status = 'open' GROUP BY currency_code"
        " ORDER BY currency_code",
        [who.user_id],
    )
    return [(code, count) for code, count, _amount in rows]


def idle_clients(q: Sql, who: Who, since: datetime, cap: int) -> list[int]:
    idle = "manager_id = ? AND (last_contact_at IS NULL OR last_contact_at < ?)"
    q.rows(
        f"SELECT COUNT(*) FROM (SELECT id FROM companies WHERE {idle}"
        + q.first(cap + 1)
        + ") AS x",
        [who.user_id, since],
    )
    rows = q.rows(
        f"SELECT id, name, last_contact_at FROM companies WHERE {idle}"
        " ORDER BY last_contact_at, name_fold, id" + q.first(IDLE),
        [who.user_id, since],
    )
    return [r[0] for r in rows]


def hour_counts(q: Sql, user_id: int, start: datetime, end: datetime) -> list[Any]:
    """Events of a period counted per UTC hour and status (what a month grid needs)."""
    hours = (
        "(CAST(event_at AS DATE) - DATE '1970-01-01') * 24 + EXTRACT(HOUR FROM event_at)"
        if q.firebird
        else "CAST(strftime('%s', event_at) AS INTEGER) / 3600"
    )
    return q.rows(
        f"SELECT {hours}, status, COUNT(*) FROM events WHERE responsible_id = ?"
        " AND event_at >= ? AND event_at < ? GROUP BY 1, 2",
        [user_id, start, end],
    )


def save_client(q: Sql, company_id: int, note: str) -> list[int]:
    version = q.rows("SELECT version FROM companies WHERE id = ?", [company_id])[0][0]
    q.conn.exec_driver_sql(
        "UPDATE companies SET notes = ?, version = ? WHERE id = ? AND version = ?",
        (note, version + 1, company_id, version),
    )
    q.conn.commit()
    return [company_id]
