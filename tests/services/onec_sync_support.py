"""A 1C base for the reference sync tests: the simulator as a real HTTP server on
loopback, registered as base ``bp``, and the services called as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from qstui.db.engine import Database
from qstui.db.models import Company, ExchangeLog, ExchangeRun, OnecLink, Product, Unit
from qstui.domain.normalize import fold
from qstui.domain.onec import OnecBaseInfo, SyncPolicy, SyncResult
from qstui.onec.odata import ODataClient
from qstui.onec.secrets import Secrets
from qstui.onec.simulator import Simulator, Store
from qstui.services.context import Context
from qstui.services.onec import bases
from qstui.services.onec.sync_run import apply_references, compare_references

BASE = "bp"
USER = "Администратор"
PASSWORD = "Пароль 1С+sync"


def secrets(tmp_path: Path) -> Secrets:
    return Secrets.of(tmp_path / "none.toml", env={"QSTUI_ONEC_BP_PASSWORD": PASSWORD})


def no_waiting(info: OnecBaseInfo, secrets: Secrets) -> ODataClient:
    """The client ``connect`` makes, retrying at once (the tests exhaust the retries)."""
    return ODataClient(info.url, info.login, secrets.password(info.name) or "", backoff=0)


@contextmanager
def running(db: Database, store: Store) -> Iterator[Simulator]:
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        bases.add_base(Context.system(db), BASE, sim.url, store.config_kind, USER)
        yield sim


def compare(ctx: Context, kind: str, sec: Secrets, **kw: Any) -> SyncResult:
    return compare_references(ctx, BASE, kind, sec, client_factory=no_waiting, **kw)


def apply(ctx: Context, kind: str, sec: Secrets, policy: SyncPolicy | None = None, **kw: Any):
    return apply_references(
        ctx, BASE, kind, sec, policy=policy or SyncPolicy(), client_factory=no_waiting, **kw
    )


def counts(result: SyncResult) -> dict[str, Any]:
    report = result.as_dict()
    return {k: len(v) if isinstance(v, list) else v for k, v in report.items()}


def product(db: Database, name: str, sku: str | None, unit: str | None = "796") -> int:
    with db.transaction() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.okei_code == unit)) if unit else None
        item = Product(name=name, name_fold=fold(name), sku=sku, unit_id=unit_id)
        s.add(item)
        s.flush()
        return item.id


def links(db: Database, kind: str = "company") -> dict[int, str]:
    with db.reader() as s:
        return dict(
            s.execute(
                select(OnecLink.object_id, OnecLink.ref_key).where(OnecLink.object_kind == kind)
            ).all()
        )


def state(db: Database) -> dict[str, Any]:
    """What a sync may write in qstui (the run log aside)."""
    with db.reader() as s:
        return {
            "companies": s.execute(
                select(
                    Company.id, Company.version, Company.name, Company.inn, Company.kpp
                ).order_by(Company.id)
            ).all(),
            "products": s.execute(
                select(Product.id, Product.version, Product.name, Product.sku).order_by(Product.id)
            ).all(),
            "links": s.execute(
                select(
                    OnecLink.object_kind,
                    OnecLink.object_id,
                    OnecLink.ref_key,
                    OnecLink.data_version,
                    OnecLink.object_version,
                ).order_by(OnecLink.object_kind, OnecLink.object_id)
            ).all(),
        }


def last_run(db: Database) -> tuple[Any, list[Any]]:
    """The last exchange run and its log entries (as plain rows)."""
    with db.reader() as s:
        run = s.execute(
            select(
                ExchangeRun.id,
                ExchangeRun.status,
                ExchangeRun.error_text,
                ExchangeRun.n_created,
                ExchangeRun.n_updated,
                ExchangeRun.n_skipped,
            )
            .order_by(ExchangeRun.id.desc())
            .limit(1)
        ).one()
        log = s.execute(
            select(ExchangeLog.level, ExchangeLog.message)
            .where(ExchangeLog.run_id == run.id)
            .order_by(ExchangeLog.id)
        ).all()
        return run, list(log)


def their_counterparties(store: Store) -> list[dict[str, Any]]:
    return store.rows("Catalog_Контрагенты")


def run_count(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(ExchangeRun)) or 0)


def counterparty(store: Store, name: str, inn: str, kpp: str = "") -> str:
    """A counterparty in the simulated 1C base; its Ref_Key."""
    values = {"name": name, "inn": inn, "kpp": kpp, "full_name": name}
    created = store.create(store.set_of("counterparty"), store.names("counterparty", values))
    return created["Ref_Key"]


def rename_there(store: Store, ref: str, name: str) -> None:
    store.update(store.set_of("counterparty"), ref, {"Description": name})
