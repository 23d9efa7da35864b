"""Sending a package (P1): one letter per recipient through the admin's SMTP server, each
written to the client's history (an interaction of type «letter») and to ``sendings``.

Rights: the module right ``R.PACKAGES``; every recipient's company must be visible to
the user. A letter that went out is recorded at once (its own transaction), so a crash
or a dropped server never makes a retry send it again: ``retry`` sends only the
sendings that failed. A server that cannot be reached at all raises ``MailError`` before
anything is sent or written. An inactive package is not sent (its failed letters may
still be retried: they were sent before it was deactivated)."""

from __future__ import annotations

import re
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from qstui.db.models import (
    AppUser,
    ClientGroup,
    Company,
    Contact,
    Email,
    Event,
    EventType,
    GroupMember,
    Material,
    PackageMaterial,
    Sending,
)
from qstui.domain import clock
from qstui.domain.clock import utcnow
from qstui.domain.enums import EventStatus, SendingStatus
from qstui.domain.errors import NotFound, ServiceError
from qstui.domain.names import person_name
from qstui.i18n import _
from qstui.mail.secrets import KEY
from qstui.mail.smtp import MailServer, answer, connected
from qstui.onec.secrets import Secrets
from qstui.services import rights as R
from qstui.services.calendar.events import KIND as EVENT_KIND
from qstui.services.calendar.events import touch_last_contact
from qstui.services.clients.groups import visible_group
from qstui.services.context import Context
from qstui.services.mailing.packages import find_package
from qstui.services.mailing.server import server_settings
from qstui.services.persist import record_create, writing
from qstui.services.visibility import company_visible

LETTER = "letter"  # the event type of a letter (data/refbooks/event_types.csv)
ERROR_MAX = 1000  # sendings.error_text
# What ``fill`` puts in a letter's subject and text, per recipient
PLACEHOLDERS = ("{контакт}", "{компания}", "{менеджер}", "{дата}")
_BRACED = re.compile(r"\{[^{}\n]*\}")


@dataclass(frozen=True)
class Recipient:
    company_id: int
    contact_id: int | None
    address: str
    contact: str  # {контакт}
    company: str  # {компания}
    manager: str  # {менеджер}


@dataclass(frozen=True)
class Outcome:
    recipient: Recipient
    sending_id: int
    sent: bool
    answer: str  # the server's answer when it failed


@dataclass(frozen=True)
class Attachment:
    file_name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class Letter:
    package_id: int
    name: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...]
    is_active: bool


Progress = Callable[[int, int], None]  # (done, total)


# --- recipients --------------------------------------------------------------------------


def _recipients(s: Session, ctx: Context, *conditions: object) -> list[Recipient]:
    rows = s.execute(
        select(
            Company.id,
            Company.name,
            AppUser.full_name,
            Contact.id,
            Contact.last_name,
            Contact.first_name,
            Contact.middle_name,
            Email.address,
        )
        .join(Contact, Contact.id == Email.contact_id)
        .join(Company, Company.id == Email.company_id)
        .outerjoin(AppUser, AppUser.id == Company.manager_id)
        .where(
            Email.allow_mailing.is_(True),
            Contact.is_active.is_(True),
            company_visible(ctx, Company.id),
            *conditions,
        )
        .order_by(Company.name, Company.id, Contact.last_name, Contact.id, Email.id)
    ).all()
    out: list[Recipient] = []
    seen: set[tuple[int, str]] = set()
    for cid, cname, manager, contact_id, last, first, middle, address in rows:
        if (contact_id, address.lower()) in seen:
            continue
        seen.add((contact_id, address.lower()))
        greeting = person_name(first, middle) or person_name(last) or ""
        out.append(Recipient(cid, contact_id, address, greeting, cname, manager or ""))
    return out


def client_recipients(
    ctx: Context, company_id: int, contact_ids: Sequence[int] | None = None
) -> list[Recipient]:
    """The contact persons of a client with an e-mail open to mailing (``contact_ids``:
    only those)."""
    ctx.require(R.PACKAGES)
    with ctx.db.reader() as s:
        if (
            s.scalar(select(Company.id).where(Company.id == company_id, company_visible(ctx)))
            is None
        ):
            raise NotFound(_("Company"), company_id)
        conditions: list[object] = [Company.id == company_id]
        if contact_ids is not None:
            conditions.append(Contact.id.in_(list(contact_ids) or [0]))
        return _recipients(s, ctx, *conditions)


def group_recipients(ctx: Context, group: int | str) -> list[Recipient]:
    """Every contact with an e-mail of every visible client of a group (by id or name)."""
    ctx.require(R.PACKAGES)
    with ctx.db.reader() as s:
        if isinstance(group, str):
            found = s.scalars(select(ClientGroup.id).where(ClientGroup.name == group)).all()
            ids = [g for g in found if _sees_group(s, ctx, g)]
            if len(ids) != 1:
                raise NotFound(_("Group"), group)
            group_id = ids[0]
        else:
            group_id = visible_group(s, ctx, group).id
        members = select(GroupMember.company_id).where(GroupMember.group_id == group_id)
        return _recipients(s, ctx, Company.id.in_(members))


def _sees_group(s: Session, ctx: Context, group_id: int) -> bool:
    try:
        visible_group(s, ctx, group_id)
    except NotFound:
        return False
    return True


# --- the letter --------------------------------------------------------------------------


def load_letter(ctx: Context, package: int | str) -> Letter:
    ctx.require(R.PACKAGES)
    with ctx.db.reader() as s:
        row = find_package(s, package)
        files = s.execute(
            select(Material.title, Material.file_name, Material.mime_type, Material.content)
            .join(PackageMaterial, PackageMaterial.material_id == Material.id)
            .where(PackageMaterial.package_id == row.id)
            .order_by(PackageMaterial.sort_no, Material.id)
        ).all()
        attachments = []
        for title, file_name, mime_type, content in files:
            if content is None:
                raise ServiceError(
                    _("The material «{title}» has no file in the database").format(title=title)
                )
            attachments.append(Attachment(file_name, mime_type, bytes(content)))
        return Letter(
            row.id,
            row.name,
            row.subject,
            row.body or "",
            tuple(attachments),
            bool(row.is_active),
        )


def fill(text: str, recipient: Recipient) -> str:
    """The ``PLACEHOLDERS`` filled (anything else in braces is left as written; a package
    saved through ``package_edit`` has nothing else)."""
    values = (
        recipient.contact,
        recipient.company,
        recipient.manager,
        clock.today().strftime("%d.%m.%Y"),
    )
    for key, value in zip(PLACEHOLDERS, values, strict=True):
        text = text.replace(key, value)
    return text


def unknown_placeholders(text: str) -> list[str]:
    """Each ``{…}`` of ``text`` that ``fill`` would leave as written, once, in order."""
    return list(dict.fromkeys(m for m in _BRACED.findall(text) if m not in PLACEHOLDERS))


def compose(letter: Letter, recipient: Recipient, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient.address
    message["Subject"] = fill(letter.subject, recipient)
    message["Date"] = format_datetime(utcnow().replace(tzinfo=UTC))  # qstui's clock
    message["Message-ID"] = make_msgid()
    message.set_content(fill(letter.body, recipient))
    for item in letter.attachments:
        main, _slash, sub = (item.mime_type or "application/octet-stream").partition("/")
        message.add_attachment(
            item.content, maintype=main, subtype=sub or "octet-stream", filename=item.file_name
        )
    return message


# --- sending -----------------------------------------------------------------------------


def send_package(
    ctx: Context,
    secrets: Secrets,
    package: int | str,
    recipients: Sequence[Recipient],
    progress: Progress | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Send ``package`` to each recipient; one outcome per recipient, in order."""
    ctx.require(R.PACKAGES)
    letter = load_letter(ctx, package)
    if not letter.is_active:
        raise ServiceError(
            _("The package «{name}» is inactive: activate it before sending").format(
                name=letter.name
            )
        )
    _check_visible(ctx, recipients)
    server = server_settings(ctx)
    return _send(ctx, secrets, server, letter, [(r, None) for r in recipients], progress, pause)


def failed_sendings(ctx: Context, package: int | str | None = None) -> list[int]:
    """Ids of the failed sendings the user sees (of one package), oldest first."""
    ctx.require(R.PACKAGES)
    with ctx.db.reader() as s:
        query = select(Sending.id).where(
            Sending.status == SendingStatus.FAILED, company_visible(ctx, Sending.company_id)
        )
        if package is not None:
            query = query.where(Sending.package_id == load_letter(ctx, package).package_id)
        return list(s.scalars(query.order_by(Sending.id)))


def retry(
    ctx: Context,
    secrets: Secrets,
    sending_ids: Sequence[int],
    progress: Progress | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Send again the failed sendings ``sending_ids`` (each row updated in place); one
    that went out already is never sent again."""
    ctx.require(R.PACKAGES)
    with ctx.db.reader() as s:
        rows = s.execute(
            select(Sending, Company.name, AppUser.full_name, Contact)
            .join(Company, Company.id == Sending.company_id)
            .outerjoin(AppUser, AppUser.id == Company.manager_id)
            .outerjoin(Contact, Contact.id == Sending.contact_id)
            .where(
                Sending.id.in_(list(sending_ids) or [0]),
                Sending.status == SendingStatus.FAILED,
                company_visible(ctx, Sending.company_id),
            )
            .order_by(Sending.id)
        ).all()
        work = []
        for sending, cname, manager, contact in rows:
            greeting = ""
            if contact is not None:
                greeting = person_name(contact.first_name, contact.middle_name) or ""
                greeting = greeting or contact.last_name
            recipient = Recipient(
                sending.company_id,
                sending.contact_id,
                sending.email_to,
                greeting,
                cname,
                manager or "",
            )
            work.append((sending.package_id, recipient, sending.id))
    server = server_settings(ctx)
    outcomes: list[Outcome] = []
    for package_id in dict.fromkeys(p for p, _r, _i in work):
        letter = load_letter(ctx, package_id)
        batch = [(r, i) for p, r, i in work if p == package_id]
        outcomes += _send(ctx, secrets, server, letter, batch, progress, pause)
    return outcomes


def _check_visible(ctx: Context, recipients: Sequence[Recipient]) -> None:
    wanted = sorted({r.company_id for r in recipients})
    with ctx.db.reader() as s:
        seen = set(
            s.scalars(select(Company.id).where(Company.id.in_(wanted or [0]), company_visible(ctx)))
        )
    for company_id in wanted:
        if company_id not in seen:
            raise NotFound(_("Company"), company_id)


def _send(
    ctx: Context,
    secrets: Secrets,
    server: MailServer,
    letter: Letter,
    batch: Sequence[tuple[Recipient, int | None]],
    progress: Progress | None,
    pause: Callable[[float], None],
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    total = len(batch)
    if not batch:
        return outcomes
    with connected(server, secrets.password(KEY)) as smtp:
        broken = ""
        for index, (recipient, sending_id) in enumerate(batch):
            if index and server.pause_seconds and not broken:
                pause(server.pause_seconds)
            failure = broken
            if not failure:
                try:
                    smtp.send_message(
                        compose(letter, recipient, server.sender),
                        server.sender,
                        [recipient.address],
                    )
                except smtplib.SMTPRecipientsRefused as exc:
                    code, text = next(iter(exc.recipients.values()), (0, b""))
                    failure = f"{code} {text.decode('utf-8', 'replace')}".strip()
                except smtplib.SMTPResponseException as exc:
                    failure = answer(exc)
                    _reset(smtp)
                except (OSError, smtplib.SMTPException) as exc:
                    broken = failure = _("the connection was lost: {reason}").format(
                        reason=str(exc) or type(exc).__name__
                    )
            outcomes.append(_record(ctx, letter, recipient, sending_id, failure))
            if progress is not None:
                progress(index + 1, total)
    return outcomes


def _reset(smtp: smtplib.SMTP) -> None:
    try:
        smtp.rset()
    except (OSError, smtplib.SMTPException):
        pass


def _record(
    ctx: Context, letter: Letter, recipient: Recipient, sending_id: int | None, failure: str
) -> Outcome:
    now = utcnow()
    with writing(ctx) as s:
        row = s.get(Sending, sending_id) if sending_id is not None else None
        if row is None:
            row = Sending(
                package_id=letter.package_id,
                company_id=recipient.company_id,
                contact_id=recipient.contact_id,
                email_to=recipient.address,
            )
            s.add(row)
        row.sent_at = now
        row.sent_by = ctx.user_id
        row.status = SendingStatus.FAILED if failure else SendingStatus.SENT
        row.error_text = failure[:ERROR_MAX] or None
        if not failure:
            row.event_id = _letter_event(s, ctx, letter, recipient, now)
        s.flush()
        return Outcome(recipient, row.id, not failure, failure)


def _letter_event(
    s: Session, ctx: Context, letter: Letter, recipient: Recipient, now: object
) -> int:
    type_id = s.scalar(select(EventType.id).where(EventType.code == LETTER))
    subject = _("Package «{name}» to {address}").format(name=letter.name, address=recipient.address)
    event = Event(
        type_id=type_id,
        status=EventStatus.DONE,
        company_id=recipient.company_id,
        contact_id=recipient.contact_id,
        responsible_id=ctx.user_id,
        subject=subject[:250],
        event_at=now,
        done_at=now,
        notes=fill(letter.subject, recipient)[:4000],
        created_by=ctx.user_id,
        updated_by=ctx.user_id,
    )
    record_create(s, ctx, event, EVENT_KIND)
    touch_last_contact(s, recipient.company_id, event.done_at)
    return event.id
