"""Counterparties of 1C ↔ our companies (E2).

Compared: name, INN, KPP. Proposed by INN+KPP, then INN, then the company name without
its legal form (``domain.normalize.company_name``), never across two different INNs.
A company made from 1C is registered as the user's own client with 1C's name, full
name, INN and KPP (checked as a typed one is); a counterparty made from our company
gets its name, full name, INN, KPP and legal kind (УТ 11: a partner of the same name
first). Visibility: the comparison is computed over every company, so a counterparty
whose company belongs to another manager is neither offered for creation (no
duplicate) nor shown; the rows of companies the user does not see are left out and
never touched (``visible``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.locks import lock_for_writing
from qstui.db.models import Company
from qstui.domain.errors import NotFound
from qstui.domain.normalize import company_name
from qstui.domain.onec import COUNTERPARTIES
from qstui.i18n import _
from qstui.onec import mapping as M
from qstui.onec.odata import ODataClient
from qstui.onec.reading import read
from qstui.services import rights as R
from qstui.services.clients.companies import company_form, derived_columns, refresh_search_words
from qstui.services.context import Context
from qstui.services.onec.sync_kind import SkipRow, SyncKind, data_version
from qstui.services.onec.sync_match import Item, Rule, Spec
from qstui.services.persist import apply_changes, conflict_for, record_create
from qstui.services.visibility import company_visible, sees_all

_FIELDS = ("name", "inn", "kpp")
_COLUMNS = frozenset(Company.__table__.c.keys()) - {"manager_id"}


def _inn_kpp(values: Mapping[str, str]) -> str:
    inn, kpp = values.get("inn", ""), values.get("kpp", "")
    return f"{inn}/{kpp}" if inn and kpp else ""


SPEC = Spec(
    compared=_FIELDS,
    code="inn",
    rules=(
        Rule("inn_kpp", _inn_kpp),
        Rule("inn", lambda v: v.get("inn", "")),
        Rule("name", lambda v: company_name(v.get("name", "")), guard="inn"),
    ),
)


def _skip(errors: Mapping[str, str]) -> SkipRow:
    return SkipRow("; ".join(f"{key}: {text}" for key, text in errors.items()))


class Counterparties(SyncKind):
    name = COUNTERPARTIES
    object_kind = "company"
    spec = SPEC
    write_rights = (R.CLIENTS, R.EDIT)

    def __init__(self, config_kind: str) -> None:
        super().__init__(config_kind)
        self.obj = M.objects_of(config_kind)[M.COUNTERPARTY]
        self._locked = False

    def ours(self, s: Session, ctx: Context) -> list[Item]:
        rows = s.execute(
            select(
                Company.id,
                Company.version,
                Company.name,
                Company.full_name,
                Company.inn,
                Company.kpp,
            ).order_by(Company.id)
        )
        return [
            Item(
                r.id,
                r.version,
                {
                    "name": r.name,
                    "full_name": r.full_name or "",
                    "inn": r.inn or "",
                    "kpp": r.kpp or "",
                },
            )
            for r in rows
        ]

    def visible(self, s: Session, ctx: Context) -> set[int] | None:
        if sees_all(ctx):
            return None
        return set(s.scalars(select(Company.id).where(company_visible(ctx))))

    def theirs(self, client: ODataClient, page_size: int) -> list[Item]:
        items = []
        for page in read(client, self.config_kind, M.COUNTERPARTY, page_size=page_size):
            for c in page:
                if c.is_folder or c.deleted:
                    continue
                values = {"name": c.name, "full_name": c.full_name, "inn": c.inn, "kpp": c.kpp}
                items.append(Item(c.ref, c.version, values))
        return items

    def create_here(self, s: Session, ctx: Context, values: Mapping[str, str]) -> tuple[int, int]:
        clean, errors = company_form(
            {key: values.get(key) or None for key in ("name", "full_name", "inn", "kpp")}
        )
        if errors:
            raise _skip(errors)
        columns = {k: v for k, v in clean.items() if k in _COLUMNS}
        if not self._locked:  # as a registration does: serialised with the duplicate check
            lock_for_writing(s.connection(), Company.__table__)
            self._locked = True
        company = Company(
            **columns, manager_id=ctx.user_id, created_by=ctx.user_id, updated_by=ctx.user_id
        )
        for key, value in derived_columns(company).items():
            setattr(company, key, value)
        record_create(s, ctx, company, "company")
        return company.id, company.version

    def update_here(
        self, s: Session, ctx: Context, object_id: int, version: int, values: Mapping[str, str]
    ) -> int:
        company = s.get(Company, object_id)
        if company is None:
            raise NotFound(_("Company"), object_id)
        if company.version != version:
            raise conflict_for(s, Company, object_id)
        clean, errors = company_form(
            {key: values.get(key) or None for key in _FIELDS}, partial=True
        )
        if errors:
            raise _skip(errors)
        apply_changes(s, ctx, company, clean, "company", derived=derived_columns)
        return company.version

    def after_writes(self, s: Session, object_ids: list[int]) -> None:
        refresh_search_words(s, object_ids)

    def _body(self, values: Mapping[str, str]) -> dict[str, object]:
        f = self.obj.fields
        body: dict[str, object] = {
            M.CATALOG_FIELDS["name"]: values.get("name", ""),
            f["inn"]: values.get("inn", ""),
            f["kpp"]: values.get("kpp", ""),
        }
        return body

    def create_there(self, client: ODataClient, values: Mapping[str, str]) -> tuple[str, str]:
        f = self.obj.fields
        body = self._body(values)
        body[f["full_name"]] = values.get("full_name") or values.get("name", "")
        if "legal_kind" in f:
            individual = len(values.get("inn", "")) == 12
            body[f["legal_kind"]] = (M.INDIVIDUAL if individual else M.LEGAL_ENTITY)[
                self.config_kind
            ]
        objects = M.objects_of(self.config_kind)
        if M.PARTNER in objects and "partner" in f:  # УТ 11: the partner comes first
            partner_obj = objects[M.PARTNER]
            partner, _payload = client.create(
                partner_obj.entity_set,
                {
                    M.CATALOG_FIELDS["name"]: values.get("name", ""),
                    partner_obj.fields["full_name"]: body[f["full_name"]],
                },
            )
            body[f["partner"]] = partner
        ref, payload = client.create(self.obj.entity_set, body)
        return ref, data_version(client, self.obj.entity_set, ref, payload)

    def update_there(
        self, client: ODataClient, ref: str, version: str, values: Mapping[str, str]
    ) -> str:
        payload = client.update(self.obj.entity_set, ref, self._body(values), data_version=version)
        return data_version(client, self.obj.entity_set, ref, payload)
