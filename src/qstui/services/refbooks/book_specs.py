"""Which table each reference book (S1) is, its fields, and how it is written.

Most books are plain rows written by ``services.refbooks.books`` itself. A book whose
area already has a service with its own rules is written through that service, so
those rules stay in one place: pipelines and stages (a default pipeline, at least one
active stage), interaction types and results, custom fields, currencies (the letter and
number codes) and rates (a new rate recounts the deals' sums).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qstui.db.models import Currency as CurrencyRow
from qstui.db.models import (
    CurrencyRate,
    CustomField,
    Department,
    EventResult,
    EventType,
    Industry,
    Pipeline,
    PriceList,
    Product,
    ProductGroup,
    RefusalReason,
    Region,
    Source,
    Stage,
    Unit,
)
from qstui.domain.deals import StageSpec
from qstui.domain.enums import FieldEntity, FieldKind
from qstui.domain.normalize import fold
from qstui.domain.refbooks import BookField, BookInfo
from qstui.domain.refbooks import FieldType as T
from qstui.i18n import N_, _
from qstui.services.calendar import event_types
from qstui.services.clients import custom_fields
from qstui.services.context import Context
from qstui.services.refbooks import currency, pipelines

Values = dict[str, Any]


@dataclass(frozen=True)
class Book:
    name: str
    title: str  # a msgid
    model: Any
    fields: tuple[BookField, ...]
    keys: tuple[str, ...]
    object_kind: str  # the audit log's name of a row
    order: tuple[str, ...] = ("name",)
    newest_first: bool = False
    unique: bool = True  # the keys identify one row
    label_key: str = "name"
    ref_column: str = "id"  # what other tables store of a row
    scope: str | None = None  # a REF field the order (``sort_no``) is kept within
    create: Callable[[Context, Values], int] | None = None
    change: Callable[[Context, int, int, Values], int] | None = None
    arrange: Callable[[Context, Any, list[int]], None] | None = None
    derived: Callable[[Any], Values] | None = None
    check: Callable[[Session, Values, Any], dict[str, str]] | None = None
    after: Callable[[Session, Context, Any], None] | None = None
    never_deleted: Callable[[Any], str | None] | None = None

    @property
    def can_deactivate(self) -> bool:
        return hasattr(self.model, "is_active")

    @property
    def can_reorder(self) -> bool:
        return hasattr(self.model, "sort_no")

    def info(self, count: int = 0, inactive: int = 0) -> BookInfo:
        return BookInfo(
            name=self.name,
            title=_(self.title),
            fields=self.fields,
            keys=self.keys,
            can_deactivate=self.can_deactivate,
            can_reorder=self.can_reorder,
            count=count,
            inactive=inactive,
        )

    def field(self, key: str) -> BookField:
        return next(f for f in self.fields if f.key == key)


def _name(limit: int, label: str = N_("Title")) -> BookField:
    return BookField("name", label, required=True, max_len=limit)


# --- the rules of the plain books ------------------------------------------------------


def _product_fold(row: Any) -> Values:
    return {"name_fold": fold(row.name)[:250]}


def _one_default(model: Any) -> Callable[[Session, Context, Any], None]:
    def unset_others(s: Session, ctx: Context, row: Any) -> None:
        if row.is_default:
            s.execute(
                update(model)
                .where(model.id != row.id, model.is_default.is_(True))
                .values(is_default=False, updated_by=ctx.user_id)
            )

    return unset_others


def _default_stays_active(s: Session, values: Values, row: Any) -> dict[str, str]:
    default = values.get("is_default", row.is_default if row is not None else False)
    active = values.get("is_active", row.is_active if row is not None else True)
    if default and not active:
        return {"is_active": _("The default price list cannot be inactive: make another default")}
    return {}


def _base_currency_stays(s: Session, values: Values, row: Any) -> dict[str, str]:
    if row is not None and row.is_base and values.get("is_active") is False:
        return {"is_active": _("The base currency cannot be inactive")}
    return {}


def _not_inside_itself(model: Any, message: str) -> Callable[[Session, Values, Any], dict]:
    """A row of a tree (departments, product groups) never under itself."""

    def check(s: Session, values: Values, row: Any) -> dict[str, str]:
        parent = values.get("parent_id")
        if row is None or parent is None:
            return {}
        seen = {row.id}
        while parent is not None:
            if parent in seen:
                return {"parent_id": _(message)}
            seen.add(parent)
            parent = s.scalar(select(model.parent_id).where(model.id == parent))
        return {}

    return check


# --- books written through their area's service ------------------------------------------


def _create_pipeline(ctx: Context, v: Values) -> int:
    return pipelines.create_pipeline(
        ctx,
        v["name"],
        stages=[StageSpec(_("First stage"), 10)],  # renamed, and others added, in the book
        is_default=bool(v.get("is_default")),
    )


def _create_stage(ctx: Context, v: Values) -> int:
    return pipelines.add_stage(
        ctx, v["pipeline_id"], v["name"], v.get("probability") or 0, v.get("days")
    )


def _create_event_type(ctx: Context, v: Values) -> int:
    return event_types.create_event_type(ctx, v["code"], v["name"], v.get("name_en"))


def _create_event_result(ctx: Context, v: Values) -> int:
    return event_types.create_event_result(ctx, v["name"])


def _change_event_result(ctx: Context, row_id: int, version: int, v: Values) -> int:
    return event_types.update_event_result(
        ctx, row_id, version, name=v.get("name"), is_active=v.get("is_active")
    )


def _create_field(ctx: Context, v: Values) -> int:
    return custom_fields.create_field(
        ctx,
        v["code"],
        v["title"],
        v["field_kind"],
        entity=v.get("entity") or FieldEntity.COMPANY,
        choices=v.get("choices") or (),
        is_required=bool(v.get("is_required")),
    )


def _create_currency(ctx: Context, v: Values) -> int:
    return currency.add_currency(ctx, v["code"], v["num_code"], v["name"], v["symbol"])


def _set_rate(ctx: Context, v: Values) -> int:
    currency.set_rate(ctx, v["currency_code"], v["rate_date"], v["rate"], v.get("nominal") or 1)
    with ctx.db.reader() as s:
        return int(
            s.scalar(
                select(CurrencyRate.id).where(
                    CurrencyRate.currency_code == v["currency_code"],
                    CurrencyRate.rate_date == v["rate_date"],
                )
            )
        )


def _change_rate(ctx: Context, row_id: int, version: int, v: Values) -> int:
    with ctx.db.reader() as s:
        row = s.get(CurrencyRate, row_id)
        if row is None:
            from qstui.domain.errors import NotFound

            raise NotFound(_("Currency rate"), row_id)
        merged = {
            "currency_code": row.currency_code,
            "rate_date": row.rate_date,
            "rate": row.rate,
            "nominal": row.nominal,
            **v,
        }
    _set_rate(ctx, merged)
    with ctx.db.reader() as s:
        return int(s.scalar(select(CurrencyRate.version).where(CurrencyRate.id == row_id)))


def _rate_kept(row: Any) -> str | None:
    return _("A rate is corrected, not deleted: enter the right rate for that day")


def _system_type(row: Any) -> str | None:
    if row.is_system:
        return _("A system interaction type cannot be deleted; deactivate it instead")
    return None


def _base_currency(row: Any) -> str | None:
    return _("The base currency cannot be deleted") if row.is_base else None


def _passing(fn: Callable[..., int], *allowed: str) -> Callable[[Context, int, int, Values], int]:
    def change(ctx: Context, row_id: int, version: int, v: Values) -> int:
        return fn(ctx, row_id, version, **{k: x for k, x in v.items() if k in allowed})

    return change


_ACTIVE = ("is_active",)
_ENTITIES = (
    (FieldEntity.COMPANY.value, N_("Company")),
    (FieldEntity.CONTACT.value, N_("Contact person")),
    (FieldEntity.DEAL.value, N_("Deal")),
)
_KINDS = (
    (FieldKind.TEXT.value, N_("Text")),
    (FieldKind.NUMBER.value, N_("Number")),
    (FieldKind.DATE.value, N_("Date")),
    (FieldKind.FLAG.value, N_("Yes/no")),
    (FieldKind.CHOICE.value, N_("Choice")),
)

BOOKS: tuple[Book, ...] = (
    Book(
        "products",
        N_("Products and services"),
        Product,
        (
            BookField("sku", N_("SKU"), max_len=50),
            _name(250),
            BookField("group_id", N_("Group"), T.REF, ref="product_groups"),
            BookField("unit_id", N_("Unit"), T.REF, ref="units"),
            BookField("price", N_("Price"), T.DECIMAL, required=True, low=0),
            BookField("currency_code", N_("Currency"), T.REF, required=True, ref="currencies"),
            BookField("vat_pct", N_("VAT, %"), T.DECIMAL, required=True, low=0, high=100),
            BookField("is_service", N_("Service"), T.BOOL),
            BookField("description", N_("Description"), max_len=2000),
        ),
        keys=("sku", "name"),
        object_kind="product",
        unique=False,
        derived=_product_fold,
    ),
    Book(
        "product_groups",
        N_("Product groups"),
        ProductGroup,
        (_name(150), BookField("parent_id", N_("Inside the group"), T.REF, ref="product_groups")),
        keys=("name",),
        object_kind="product_group",
        order=("sort_no", "name"),
        check=_not_inside_itself(ProductGroup, N_("A group cannot be inside itself")),
    ),
    Book(
        "units",
        N_("Units of measure"),
        Unit,
        (
            BookField("okei_code", N_("OKEI code"), required=True, max_len=4, fixed=True),
            _name(60),
            BookField("short_name", N_("Short name"), required=True, max_len=20),
        ),
        keys=("okei_code",),
        object_kind="unit",
        label_key="short_name",
    ),
    Book(
        "price_lists",
        N_("Price lists"),
        PriceList,
        (
            _name(100),
            BookField("currency_code", N_("Currency"), T.REF, required=True, ref="currencies"),
            BookField("is_default", N_("Default"), T.BOOL),
        ),
        keys=("name",),
        object_kind="price_list",
        check=_default_stays_active,
        after=_one_default(PriceList),
    ),
    Book(
        "pipelines",
        N_("Pipelines"),
        Pipeline,
        (_name(100), BookField("is_default", N_("Default"), T.BOOL)),
        keys=("name",),
        object_kind="pipeline",
        order=("sort_no", "name"),
        create=_create_pipeline,
        change=_passing(pipelines.update_pipeline, "name", "is_default", "is_active"),
    ),
    Book(
        "stages",
        N_("Pipeline stages"),
        Stage,
        (
            BookField(
                "pipeline_id", N_("Pipeline"), T.REF, required=True, ref="pipelines", fixed=True
            ),
            _name(100),
            BookField("probability", N_("Probability, %"), T.INT, low=0, high=100),
            BookField("days", N_("Usual days"), T.INT, low=0, high=pipelines.MAX_DAYS),
        ),
        keys=("pipeline_id", "name"),
        object_kind="stage",
        order=("pipeline_id", "sort_no"),
        scope="pipeline_id",
        create=_create_stage,
        change=_passing(pipelines.update_stage, "name", "probability", "days", *_ACTIVE),
        arrange=pipelines.reorder_stages,
    ),
    Book(
        "sources",
        N_("Sources"),
        Source,
        (_name(150), BookField("cost", N_("Campaign cost"), T.DECIMAL, low=0)),
        keys=("name",),
        object_kind="source",
    ),
    Book(
        "refusal_reasons",
        N_("Refusal reasons"),
        RefusalReason,
        (_name(150),),
        keys=("name",),
        object_kind="refusal_reason",
        order=("sort_no", "name"),
    ),
    Book(
        "event_types",
        N_("Interaction types"),
        EventType,
        (
            BookField("code", N_("Code"), required=True, max_len=30),
            _name(100),
            BookField("name_en", N_("Name in English"), max_len=100),
        ),
        keys=("code",),
        object_kind="event_type",
        order=("sort_no", "name"),
        create=_create_event_type,
        change=_passing(event_types.update_event_type, "code", "name", "name_en", *_ACTIVE),
        never_deleted=_system_type,
    ),
    Book(
        "event_results",
        N_("Interaction results"),
        EventResult,
        (_name(150),),
        keys=("name",),
        object_kind="event_result",
        create=_create_event_result,
        change=_change_event_result,
    ),
    Book(
        "regions",
        N_("Regions"),
        Region,
        (BookField("code", N_("Code"), required=True, max_len=3), _name(150)),
        keys=("code",),
        object_kind="region",
        order=("code",),
    ),
    Book(
        "industries",
        N_("Industries"),
        Industry,
        (_name(150),),
        keys=("name",),
        object_kind="industry",
    ),
    Book(
        "currencies",
        N_("Currencies"),
        CurrencyRow,
        (
            BookField("code", N_("Code"), required=True, max_len=3, fixed=True),
            BookField("num_code", N_("Numeric code"), required=True, max_len=3),
            _name(60),
            BookField("symbol", N_("Symbol"), required=True, max_len=5),
        ),
        keys=("code",),
        object_kind="currency",
        order=("code",),
        label_key="code",
        ref_column="code",
        create=_create_currency,
        check=_base_currency_stays,
        never_deleted=_base_currency,
    ),
    Book(
        "currency_rates",
        N_("Currency rates"),
        CurrencyRate,
        (
            BookField(
                "currency_code", N_("Currency"), T.REF, required=True, ref="currencies", fixed=True
            ),
            BookField("rate_date", N_("Date"), T.DATE, required=True, fixed=True),
            BookField("rate", N_("Rate"), T.DECIMAL, required=True, low=0),
            BookField("nominal", N_("Nominal"), T.INT, low=1, high=1_000_000),
        ),
        keys=("currency_code", "rate_date"),
        object_kind="currency_rate",
        order=("rate_date", "currency_code"),
        newest_first=True,
        label_key="rate_date",
        create=_set_rate,
        change=_change_rate,
        never_deleted=_rate_kept,
    ),
    Book(
        "departments",
        N_("Departments"),
        Department,
        (_name(200), BookField("parent_id", N_("Inside the department"), T.REF, ref="departments")),
        keys=("name",),
        object_kind="department",
        check=_not_inside_itself(Department, N_("A department cannot be inside itself")),
    ),
    Book(
        "custom_fields",
        N_("Custom fields"),
        CustomField,
        (
            BookField("entity", N_("Of"), T.CHOICE, required=True, choices=_ENTITIES, fixed=True),
            BookField("code", N_("Code"), required=True, max_len=40, fixed=True),
            BookField("title", N_("Title"), required=True, max_len=100),
            BookField(
                "field_kind", N_("Kind"), T.CHOICE, required=True, choices=_KINDS, fixed=True
            ),
            BookField("choices", N_("Choices"), T.LIST),
            BookField("is_required", N_("Required"), T.BOOL),
        ),
        keys=("entity", "code"),
        object_kind="custom_field",
        order=("entity", "sort_no"),
        label_key="title",
        scope="entity",
        create=_create_field,
        change=_passing(custom_fields.update_field, "title", "choices", "is_required", *_ACTIVE),
    ),
)

BY_NAME: dict[str, Book] = {book.name: book for book in BOOKS}
