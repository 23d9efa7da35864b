"""``qstui package list|show|send|retry`` end to end against a real SMTP server on
loopback, on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in
from tests.services.client_support import Team, make_team
from tests.services.package_support import ATTACHMENT, clients, configure, make_package
from tests.smtp_server import PASSWORD, SmtpServer, smtp_server

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.services.clients import groups as G


@pytest.fixture(scope="module")
def server() -> Iterator[SmtpServer]:
    with smtp_server(auth=True) as running:
        yield running


@pytest.fixture
def team(db: Database, server: SmtpServer) -> Team:
    team = make_team(db)
    configure(team, server.port)
    make_package(db)
    sign_in(db, "ivanov")
    return team


def run(db: Database, tmp_path: Path, *args: str) -> Result:
    url = db.url.render_as_string(hide_password=False)
    env = {"QSTUI_CONFIG": str(tmp_path / "none.toml"), "QSTUI_SMTP_PASSWORD": PASSWORD}
    return CliRunner(env={"COLUMNS": "200", **env}).invoke(
        cli, ["--db", url, "package", *args, "--as", "ivanov"]
    )


def test_list_and_show(db: Database, team: Team, tmp_path: Path) -> None:
    listed = run(db, tmp_path, "list", "--json")
    assert listed.exit_code == 0, listed.output
    (info,) = json.loads(listed.output)
    assert info["name"] == "Прайс 2026" and info["materials"] == 1
    shown = run(db, tmp_path, "show", "Прайс 2026")
    assert shown.exit_code == 0, shown.output
    assert "{контакт}" in shown.output and "прайс.bin" in shown.output
    assert str(len(ATTACHMENT)) in shown.output


def test_send_to_a_group_then_retry_only_the_refused(
    db: Database, team: Team, server: SmtpServer, tmp_path: Path
) -> None:
    ids = clients(team.ivanov, 2, 2)
    group_id = G.create_group(team.ivanov, "Почта")
    G.add_members(team.ivanov, group_id, ids)
    server.handler.letters.clear()
    server.handler.refused = {"c1k0@example.test"}
    try:
        sent = run(db, tmp_path, "send", "Прайс 2026", "--group", "Почта")
    finally:
        server.handler.refused = set()
    assert sent.exit_code == 1, sent.output
    assert "Sent: 3, failed: 1" in sent.output and "c1k0@example.test" in sent.output
    assert "550 5.1.1" in sent.output
    assert len(server.handler.letters) == 3
    server.handler.letters.clear()
    again = run(db, tmp_path, "retry", "Прайс 2026", "--json")
    assert again.exit_code == 0, again.output
    (outcome,) = json.loads(again.output)
    assert outcome["address"] == "c1k0@example.test" and outcome["sent"] is True
    assert [rcpt for rcpt, _l in server.handler.letters] == ["c1k0@example.test"]
    assert run(db, tmp_path, "retry", "Прайс 2026").output.strip() == "Nothing to send again"


def test_send_to_one_client(db: Database, team: Team, server: SmtpServer, tmp_path: Path) -> None:
    (company_id,) = clients(team.ivanov, 1, 3)
    server.handler.letters.clear()
    sent = run(db, tmp_path, "send", "Прайс 2026", "--client", str(company_id))
    assert sent.exit_code == 0, sent.output
    assert "Sent: 3, failed: 0" in sent.output and len(server.handler.letters) == 3


def test_bad_input_is_one_line(db: Database, team: Team, tmp_path: Path) -> None:
    one_line_error(run(db, tmp_path, "show", "Нет такого"), "not found")
    one_line_error(run(db, tmp_path, "send", "Прайс 2026", "--group", "Нет"), "not found")
    both = run(db, tmp_path, "send", "Прайс 2026", "--client", "1", "--group", "x")
    assert both.exit_code == 2 and "--client" in both.output
