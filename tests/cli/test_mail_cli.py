"""``qstui mail setup|test`` end to end against a real SMTP server on loopback, on both
backends: the password is kept only in the admin's private config file (or the
environment), never in the database, the output or an error message."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from tests.cli.outcome import one_line_error
from tests.smtp_server import PASSWORD, USER, SmtpServer, free_port, smtp_server

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import AuditEntry, Setting


@pytest.fixture(scope="module")
def server() -> Iterator[SmtpServer]:
    with smtp_server(auth=True) as running:
        yield running


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def run(
    db: Database, config_file: Path, *args: str, input: str | None = None, **env: str
) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        cli,
        ["--db", url, "mail", *args],
        input=input,
        env={"QSTUI_CONFIG": str(config_file), "QSTUI_SMTP_PASSWORD": "", **env},
    )


def setup(db: Database, config_file: Path, port: int, password: str = PASSWORD) -> Result:
    return run(
        db,
        config_file,
        "setup",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--plain",
        "--user",
        USER,
        "--password-stdin",
        "--from",
        "sales@example.test",
        input=password + "\n",
    )


def everything_stored(db: Database) -> str:
    with db.reader() as s:
        settings = s.execute(select(Setting.name, Setting.val)).all()
        audit = s.execute(select(AuditEntry.changes)).all()
    return repr(settings) + repr(audit)


def test_setup_keeps_the_password_private_and_the_test_letter_arrives(
    db: Database, config_file: Path, server: SmtpServer
) -> None:
    result = setup(db, config_file, server.port)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert PASSWORD in config_file.read_text(encoding="utf-8")
    assert PASSWORD not in everything_stored(db) and PASSWORD not in result.output
    assert "127.0.0.1" in everything_stored(db)
    before = len(server.handler.letters)
    tested = run(db, config_file, "test", "boss@example.test")
    assert tested.exit_code == 0, tested.output
    ((rcpt, letter),) = server.handler.letters[before:]
    assert rcpt == "boss@example.test" and letter["From"] == "sales@example.test"


def test_a_wrong_password_is_one_clear_line_without_it(
    db: Database, config_file: Path, server: SmtpServer
) -> None:
    assert setup(db, config_file, server.port, "Not-the-password").exit_code == 0
    result = run(db, config_file, "test", "boss@example.test")
    line = one_line_error(result)
    assert "refused the login" in line and USER in line
    assert "Not-the-password" not in result.output


def test_the_environment_password_wins(db: Database, config_file: Path, server: SmtpServer) -> None:
    assert setup(db, config_file, server.port, "Not-the-password").exit_code == 0
    before = len(server.handler.letters)
    result = run(db, config_file, "test", "a@example.test", QSTUI_SMTP_PASSWORD=PASSWORD)
    assert result.exit_code == 0, result.output
    assert len(server.handler.letters) == before + 1


def test_a_server_that_is_down_is_one_clear_line(db: Database, config_file: Path) -> None:
    assert setup(db, config_file, free_port()).exit_code == 0
    line = one_line_error(run(db, config_file, "test", "boss@example.test"))
    assert "does not answer" in line and "connection refused" in line
    assert PASSWORD not in line


def test_mail_setup_needs_a_security_choice(db: Database, config_file: Path) -> None:
    result = run(
        db, config_file, "setup", "--host", "h", "--port", "25", "--from", "a@example.test"
    )
    assert result.exit_code != 0 and "--starttls" in result.output
