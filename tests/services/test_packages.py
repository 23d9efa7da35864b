"""Sending packages (P1) through a real SMTP server on loopback, on both backends: every
letter arrives with its placeholders filled and its attachment byte-identical, lands in
the client's history and in ``sendings``; refused recipients are listed with the
server's answer and a retry sends only them; a server that is down sends nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.services.client_support import Team, make_team
from tests.services.package_support import ATTACHMENT, clients, configure, make_package
from tests.smtp_server import PASSWORD, REFUSAL, USER, SmtpServer, free_port, smtp_server

from qstui import logs
from qstui.db.engine import Database
from qstui.db.models import (
    AuditEntry,
    Event,
    EventType,
    Sending,
    Setting,
)
from qstui.domain.enums import SendingStatus
from qstui.domain.errors import AccessDenied, NotFound
from qstui.mail.secrets import KEY, mail_secrets
from qstui.mail.smtp import MailError
from qstui.onec.secrets import Secrets
from qstui.services.access import settings as S
from qstui.services.access import users as U
from qstui.services.clients import groups as G
from qstui.services.clients.card import get_card
from qstui.services.context import context_for
from qstui.services.mailing import sending as P


@pytest.fixture(scope="module")
def server() -> Iterator[SmtpServer]:
    with smtp_server(auth=True) as running:
        yield running


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    found = mail_secrets(tmp_path / "config.toml", env={})
    found.store(KEY, PASSWORD)
    return found


@pytest.fixture
def team(db: Database) -> Team:
    return make_team(db)


def test_a_group_of_50_gets_the_package_once_each(
    db: Database, team: Team, server: SmtpServer, secrets: Secrets
) -> None:
    configure(team, server.port)
    make_package(db)
    ids = clients(team.ivanov, 10, 5)
    group_id = G.create_group(team.ivanov, "Рассылка")
    G.add_members(team.ivanov, group_id, ids)
    server.handler.letters.clear()
    seen: list[tuple[int, int]] = []
    recipients = P.group_recipients(team.ivanov, "Рассылка")
    assert len(recipients) == 50
    outcomes = P.send_package(
        team.ivanov, secrets, "Прайс 2026", recipients, progress=lambda d, t: seen.append((d, t))
    )
    assert all(o.sent for o in outcomes) and seen[-1] == (50, 50)
    letters = dict(server.handler.letters)
    assert len(server.handler.letters) == 50 and len(letters) == 50
    letter = letters["c3k2@example.test"]
    assert letter["Subject"] == "Прайс для ООО Клиент 03"
    text = letter.get_body(("plain",)).get_content()
    assert "Здравствуйте, Анна К2!" in text and "Для ООО Клиент 03 от Иван Иванов" in text
    assert "{другое}" in text and "{дата}" not in text
    (attached,) = list(letter.iter_attachments())
    assert attached.get_filename() == "прайс.bin"
    assert attached.get_content() == ATTACHMENT
    with db.reader() as s:
        letter_type = s.scalar(select(EventType.id).where(EventType.code == "letter"))
        events = s.execute(
            select(Event.id, Event.company_id).where(Event.type_id == letter_type)
        ).all()
        rows = s.execute(select(Sending.status, Sending.event_id)).all()
    assert len(events) == 50 and {c for _i, c in events} == set(ids)
    assert len(rows) == 50 and {st for st, _e in rows} == {SendingStatus.SENT}
    assert {e for _st, e in rows} == {i for i, _c in events}


def test_refused_recipients_are_listed_and_a_retry_sends_only_them(
    db: Database, team: Team, server: SmtpServer, secrets: Secrets
) -> None:
    configure(team, server.port)
    make_package(db)
    (company_id,) = clients(team.ivanov, 1, 6)
    refused = {"c0k1@example.test", "c0k3@example.test", "c0k4@example.test"}
    server.handler.letters.clear()
    server.handler.refused = set(refused)
    try:
        recipients = P.client_recipients(team.ivanov, company_id)
        outcomes = P.send_package(team.ivanov, secrets, "Прайс 2026", recipients)
    finally:
        server.handler.refused = set()
    failed = [o for o in outcomes if not o.sent]
    assert {o.recipient.address for o in failed} == refused
    assert {o.answer for o in failed} == {REFUSAL}
    assert len(server.handler.letters) == 3
    assert P.failed_sendings(team.ivanov, "Прайс 2026") == [o.sending_id for o in failed]
    server.handler.letters.clear()
    again = P.retry(team.ivanov, secrets, [o.sending_id for o in outcomes])
    assert {o.recipient.address for o in again} == refused and all(o.sent for o in again)
    assert sorted(rcpt for rcpt, _l in server.handler.letters) == sorted(refused)
    assert P.failed_sendings(team.ivanov) == []
    card = get_card(team.ivanov, company_id)
    assert len(card.materials) == 6 and {m.status for m in card.materials} == {"sent"}
    assert sum("Прайс 2026" in item.subject for item in card.history) == 6
    with db.reader() as s:
        assert len(s.scalars(select(Sending)).all()) == 6
        assert len(s.scalars(select(Event).where(Event.company_id == company_id)).all()) == 6


def test_a_server_that_is_down_sends_and_writes_nothing(
    db: Database, team: Team, secrets: Secrets
) -> None:
    configure(team, free_port())
    make_package(db)
    (company_id,) = clients(team.ivanov, 1, 2)
    recipients = P.client_recipients(team.ivanov, company_id)
    with pytest.raises(MailError, match="does not answer: connection refused"):
        P.send_package(team.ivanov, secrets, "Прайс 2026", recipients)
    with db.reader() as s:
        assert s.scalars(select(Sending)).all() == []


def test_the_password_is_nowhere_but_the_config_file(
    db: Database, team: Team, server: SmtpServer, tmp_path: Path
) -> None:
    configure(team, server.port)
    make_package(db)
    (company_id,) = clients(team.ivanov, 1, 1)
    wrong = mail_secrets(tmp_path / "other.toml", env={"QSTUI_SMTP_PASSWORD": "Wrong-Секрет"})
    recipients = P.client_recipients(team.ivanov, company_id)
    with pytest.raises(MailError) as caught:
        P.send_package(team.ivanov, wrong, "Прайс 2026", recipients)
    assert "refused the login" in str(caught.value) and "Wrong-Секрет" not in str(caught.value)
    with db.reader() as s:
        stored = repr(s.execute(select(Setting.name, Setting.val)).all())
        stored += repr(s.execute(select(AuditEntry.changes)).all())
    assert USER in stored and PASSWORD not in stored and "Wrong-Секрет" not in stored
    log = logs.log_file()
    if log is not None and log.exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        assert PASSWORD not in text and "Wrong-Секрет" not in text


def test_rights_are_checked_in_the_service(
    db: Database, team: Team, server: SmtpServer, secrets: Secrets
) -> None:
    configure(team, server.port)
    make_package(db)
    (company_id,) = clients(team.ivanov, 1, 1)
    with pytest.raises(NotFound):
        P.client_recipients(team.sidorov, company_id)  # another department's client
    recipients = P.client_recipients(team.ivanov, company_id)
    with pytest.raises(NotFound):
        P.send_package(team.sidorov, secrets, "Прайс 2026", recipients)
    U.revoke(team.system, "ivanov", "packages")
    with pytest.raises(AccessDenied):
        P.send_package(context_for(db, "ivanov"), secrets, "Прайс 2026", recipients)


def test_the_rate_limit_pauses_between_letters(
    db: Database, team: Team, server: SmtpServer, secrets: Secrets
) -> None:
    configure(team, server.port)
    S.set_setting(team.system, S.MAIL_PAUSE, 3)
    make_package(db)
    (company_id,) = clients(team.ivanov, 1, 3)
    pauses: list[float] = []
    recipients = P.client_recipients(team.ivanov, company_id)
    P.send_package(team.ivanov, secrets, "Прайс 2026", recipients, pause=pauses.append)
    assert pauses == [3, 3]  # between the letters, not before the first
