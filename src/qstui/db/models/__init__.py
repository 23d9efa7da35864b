"""All ORM models; importing this package fills ``Base.metadata``."""

from qstui.db.models.audit import AuditEntry, SearchWord
from qstui.db.models.base import Base
from qstui.db.models.calendar import Event
from qstui.db.models.clients import (
    BankAccount,
    Claim,
    ClaimChange,
    ClientGroup,
    ClientTerms,
    Company,
    Contact,
    Contract,
    CustomField,
    CustomValue,
    Email,
    GroupMember,
    MassActivity,
    Phone,
)
from qstui.db.models.deals import (
    Deal,
    DealDocument,
    DealItem,
    DealStage,
    Payment,
    Pipeline,
    Stage,
)
from qstui.db.models.facts import DealFact, EventFact, EventHour, StageFact
from qstui.db.models.knowledge import KbArticle, KbCategory
from qstui.db.models.locks import WriteLock
from qstui.db.models.mailing import Material, Package, PackageMaterial, Sending
from qstui.db.models.onec import ExchangeLog, ExchangeRun, OnecBase, OnecLink
from qstui.db.models.products import PriceList, PriceListItem, Product, ProductGroup
from qstui.db.models.refbooks import (
    Currency,
    CurrencyRate,
    EventResult,
    EventType,
    Industry,
    RefusalReason,
    Region,
    Source,
    Unit,
)
from qstui.db.models.users import (
    AppUser,
    Department,
    LoginDelay,
    RoleRight,
    SavedFilter,
    Setting,
    UserRight,
    UserToken,
)

metadata = Base.metadata

__all__ = [
    "AppUser",
    "AuditEntry",
    "BankAccount",
    "Base",
    "Claim",
    "ClaimChange",
    "ClientGroup",
    "ClientTerms",
    "Company",
    "Contact",
    "Contract",
    "Currency",
    "CurrencyRate",
    "CustomField",
    "CustomValue",
    "Deal",
    "DealDocument",
    "DealFact",
    "DealItem",
    "DealStage",
    "Department",
    "Email",
    "Event",
    "EventFact",
    "EventHour",
    "EventResult",
    "EventType",
    "ExchangeLog",
    "ExchangeRun",
    "GroupMember",
    "Industry",
    "KbArticle",
    "KbCategory",
    "LoginDelay",
    "MassActivity",
    "Material",
    "OnecBase",
    "OnecLink",
    "Package",
    "PackageMaterial",
    "Payment",
    "Phone",
    "Pipeline",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductGroup",
    "RefusalReason",
    "Region",
    "RoleRight",
    "SavedFilter",
    "SearchWord",
    "Sending",
    "Setting",
    "Source",
    "Stage",
    "StageFact",
    "Unit",
    "UserRight",
    "UserToken",
    "WriteLock",
    "metadata",
]
