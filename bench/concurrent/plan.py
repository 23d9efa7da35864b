"""Before the run: what each login's managers work on, and the state to compare with
afterwards (the highest ids and the versions of the records that may change)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import URL

from qstui.db.compat import chunks
from qstui.db.engine import Database
from qstui.db.models import AppUser, AuditEntry, Company, Deal, Event, Payment, Stage
from qstui.domain.enums import DealStatus
from qstui.services.context import Context, context_for
from qstui.services.visibility import company_visible, deal_visible

LOGINS = ("ivanov", "petrova", "sidorov", "head")  # the managers are spread over these
OWNERS = ("ivanov", "petrova", "sidorov")  # whose records make the hot set
HOT_PER_OWNER = 2  # companies and open deals of each owner that everyone seeing it works on
POOL_SIZE = 200  # the other records a login's managers work on
QUERY_SOURCES = 60  # companies whose name words and INN digits are typed into "find"


@dataclass(frozen=True)
class LoginPlan:
    """What the managers acting as one login work on (all of it visible to the login)."""

    login: str
    companies: list[int]
    deals: list[int]  # open ones
    hot_companies: list[int]
    hot_deals: list[int]
    queries: list[str]


@dataclass(frozen=True)
class Plan:
    url: URL
    tag: str  # marks this run's texts: subjects, notes, payment purposes
    logins: dict[str, LoginPlan]
    active_stages: frozenset[int]
    start_ids: dict[str, int]  # the highest event, payment and audit ids before the run
    versions: dict[tuple[str, int], int]  # ("company" | "deal", id) -> version before


def prepare(db: Database, seed: int) -> Plan:
    """Choose what each login's managers work on; note the state before the run."""
    rng = random.Random(seed)
    with db.reader() as s:
        owner_ids = dict(s.execute(select(AppUser.login, AppUser.id)).all())
        hot_companies: list[int] = []
        hot_deals: list[int] = []
        for login in OWNERS:
            owner = owner_ids[login]
            hot_companies += s.scalars(
                select(Company.id)
                .where(Company.manager_id == owner)
                .order_by(Company.id)
                .limit(HOT_PER_OWNER)
            )
            hot_deals += s.scalars(
                select(Deal.id)
                .where(Deal.manager_id == owner, Deal.status == DealStatus.OPEN)
                .order_by(Deal.id)
                .limit(HOT_PER_OWNER)
            )
        active = frozenset(s.scalars(select(Stage.id).where(Stage.is_active.is_(True))))
        start_ids = {
            "events": s.scalar(select(func.max(Event.id))) or 0,
            "payments": s.scalar(select(func.max(Payment.id))) or 0,
            "audit": s.scalar(select(func.max(AuditEntry.id))) or 0,
        }
    logins = {
        login: _login_plan(context_for(db, login), rng, hot_companies, hot_deals)
        for login in LOGINS
    }
    company_ids = {i for p in logins.values() for i in p.companies + p.hot_companies}
    deal_ids = {i for p in logins.values() for i in p.deals + p.hot_deals}
    versions: dict[tuple[str, int], int] = {}
    with db.reader() as s:
        for kind, model, ids in (("company", Company, company_ids), ("deal", Deal, deal_ids)):
            for chunk in chunks(sorted(ids)):
                rows = s.execute(select(model.id, model.version).where(model.id.in_(chunk)))
                versions.update(((kind, ident), version) for ident, version in rows)
    return Plan(db.url, f"bench {uuid.uuid4().hex[:8]}", logins, active, start_ids, versions)


def _login_plan(
    ctx: Context, rng: random.Random, hot_companies: list[int], hot_deals: list[int]
) -> LoginPlan:
    with ctx.db.reader() as s:
        companies = list(s.scalars(select(Company.id).where(company_visible(ctx))))
        deals = list(
            s.scalars(select(Deal.id).where(deal_visible(ctx), Deal.status == DealStatus.OPEN))
        )
        hot_c = s.scalars(
            select(Company.id).where(Company.id.in_(hot_companies), company_visible(ctx))
        ).all()
        hot_d = s.scalars(select(Deal.id).where(Deal.id.in_(hot_deals), deal_visible(ctx))).all()
        companies = sorted(rng.sample(companies, min(POOL_SIZE, len(companies))))
        deals = sorted(rng.sample(deals, min(POOL_SIZE, len(deals))))
        names = s.execute(
            select(Company.name, Company.inn).where(
                Company.id.in_(rng.sample(companies, min(QUERY_SOURCES, len(companies))))
            )
        ).all()
    queries = []
    for name, inn in names:
        words = [w for w in name.replace("«", " ").replace("»", " ").split() if len(w) > 3]
        if words:
            queries.append(rng.choice(words)[: rng.randint(3, 6)])
        if inn:
            queries.append(inn[: rng.randint(3, 6)])
    if not companies or not deals:
        raise SystemExit(f"{ctx.login} sees no companies or open deals: load the demo first")
    return LoginPlan(ctx.login, companies, deals, list(hot_c), list(hot_d), queries or ["ооо"])
