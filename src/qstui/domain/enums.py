"""Enumerations shared by the database, the services and the screens.

Values are stable strings stored in the database (``EnumText`` columns); never rename
a value without a migration.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    HEAD = "head"
    ADMIN = "admin"


class ClientKind(StrEnum):
    CLIENT = "client"
    PROSPECT = "prospect"
    PARTNER = "partner"
    SUPPLIER = "supplier"


class PhoneKind(StrEnum):
    WORK = "work"
    MOBILE = "mobile"
    FAX = "fax"
    HOME = "home"
    OTHER = "other"


class FieldEntity(StrEnum):
    COMPANY = "company"
    CONTACT = "contact"
    DEAL = "deal"


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    FLAG = "flag"
    CHOICE = "choice"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class PaymentKind(StrEnum):
    PLANNED = "planned"
    ACTUAL = "actual"


class PaymentSource(StrEnum):
    MANUAL = "manual"
    ONEC = "onec"
    BANK = "bank"


class DocKind(StrEnum):
    """1C documents attached to a deal (D5)."""

    INVOICE = "invoice"  # Счет на оплату покупателю
    SHIPMENT = "shipment"  # Реализация товаров и услуг
    INVOICE_FACTURA = "invoice_factura"  # Счет-фактура выданный
    PAYMENT_ORDER = "payment_order"  # Платежное поручение входящее / поступление на счет


class DocState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    DELETED = "deleted"


class ContractStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class EventStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class ClaimStatus(StrEnum):
    NEW = "new"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"


class SendingStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class ExchangeStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class LogLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class AuditAction(StrEnum):
    """Stored as text (``audit_log.action`` is VARCHAR(20)): a new value needs no migration."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOGIN_FAILED = "login_failed"  # a failed login in the name of an account (or an unknown one)
    LOGIN_LOCKED = "login_locked"  # the failed login that locked the account
