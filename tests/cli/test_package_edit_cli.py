"""``qstui package create|edit|attach|detach|delete`` end to end on both backends: a
package written from the command line is sent through a real SMTP server on loopback
with its attachment byte-identical; bad input is one line in the user's words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.cli.outcome import one_line_error
from tests.cli.proof import sign_in
from tests.services.client_support import Team, make_team
from tests.services.package_support import clients, configure
from tests.smtp_server import PASSWORD, SmtpServer, smtp_server

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.services.clients import groups as G
from qstui.services.mailing import packages as P


@pytest.fixture(scope="module")
def server() -> Iterator[SmtpServer]:
    with smtp_server(auth=True) as running:
        yield running


@pytest.fixture
def team(db: Database, server: SmtpServer) -> Team:
    team = make_team(db)
    configure(team, server.port)
    sign_in(db, "ivanov", "head")
    return team


def run(db: Database, tmp_path: Path, *args: str, login: str = "ivanov") -> Result:
    url = db.url.render_as_string(hide_password=False)
    env = {"QSTUI_CONFIG": str(tmp_path / "none.toml"), "QSTUI_SMTP_PASSWORD": PASSWORD}
    return CliRunner(env={"COLUMNS": "200", **env}).invoke(
        cli, ["--db", url, "package", *args, "--as", login]
    )


def test_a_package_written_from_the_command_line_is_sent(
    db: Database, team: Team, server: SmtpServer, tmp_path: Path
) -> None:
    body = tmp_path / "письмо.txt"
    body.write_bytes("Добрый день, {контакт}!\nПрайс для {компания}.".encode("cp1251"))
    created = run(db, tmp_path, "create", "Прайс", "--subject", "Прайс", "--body-file", str(body))
    assert created.exit_code == 0, created.output
    package_id = int(created.output)
    brochure = tmp_path / "буклет.pdf"
    brochure.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 64)
    attached = run(db, tmp_path, "attach", "Прайс", str(brochure), "--title", "Буклет", "--json")
    assert attached.exit_code == 0, attached.output
    material_id = json.loads(attached.output)["id"]
    draft = tmp_path / "черновик.txt"
    draft.write_text("черновик", encoding="utf-8")
    extra = int(run(db, tmp_path, "attach", str(package_id), str(draft)).output)
    detached = run(db, tmp_path, "detach", "Прайс", str(extra))
    assert detached.exit_code == 0 and f"Material #{extra} detached" in detached.output
    shown = run(db, tmp_path, "show", "Прайс")
    assert f"📎 {material_id}: Буклет — буклет.pdf" in shown.output
    assert "черновик" not in shown.output and "Добрый день, {контакт}!" in shown.output
    edited = run(db, tmp_path, "edit", "Прайс", "--subject", "Прайс для {компания}", "--inactive")
    assert edited.exit_code == 0 and f"Package #{package_id} saved" in edited.output
    ids = clients(team.ivanov, 2, 1)
    G.add_members(team.ivanov, G.create_group(team.ivanov, "Почта"), ids)
    one_line_error(run(db, tmp_path, "send", "Прайс", "--group", "Почта"), "is inactive")
    assert run(db, tmp_path, "edit", "Прайс", "--active").exit_code == 0
    server.handler.letters.clear()
    sent = run(db, tmp_path, "send", "Прайс", "--group", "Почта")
    assert sent.exit_code == 0 and "Sent: 2, failed: 0" in sent.output, sent.output
    letters = dict(server.handler.letters)
    letter = letters["c1k0@example.test"]
    assert letter["Subject"] == "Прайс для ООО Клиент 01"
    assert "Прайс для ООО Клиент 01." in letter.get_body(("plain",)).get_content()
    (file,) = list(letter.iter_attachments())
    assert file.get_filename() == "буклет.pdf" and file.get_content() == brochure.read_bytes()
    kept = run(db, tmp_path, "delete", "Прайс", login="head")
    one_line_error(kept, "cannot be deleted: it has been sent", "Deactivate it instead")
    assert P.get_package(team.head, package_id).sendings == 2


def test_bad_input_is_one_line(db: Database, team: Team, tmp_path: Path) -> None:
    one_line_error(
        run(db, tmp_path, "create", "Прайс", "--subject", "Для {клиент}"),
        "Unknown placeholder {клиент}: use {контакт}, {компания}, {менеджер}, {дата}",
    )
    assert run(db, tmp_path, "create", "Прайс", "--subject", "Тема").exit_code == 0
    one_line_error(
        run(db, tmp_path, "create", "прайс", "--subject", "Тема"), "«прайс» already exists"
    )
    missing = tmp_path / "нет.pdf"
    one_line_error(run(db, tmp_path, "attach", "Прайс", str(missing)), f"No such file: {missing}")
    one_line_error(run(db, tmp_path, "attach", "Прайс", str(tmp_path)), "is a folder")
    one_line_error(
        run(db, tmp_path, "create", "Буклет", "--subject", "x", "--body-file", str(missing)),
        f"Cannot read {missing}",
    )
    one_line_error(run(db, tmp_path, "delete", "Прайс"), "“delete”")  # a manager
    one_line_error(run(db, tmp_path, "detach", "Прайс", "12345"), "not found")
    one_line_error(run(db, tmp_path, "edit", "Нет такого", "--name", "x"), "not found")
    nothing = run(db, tmp_path, "edit", "Прайс")
    assert nothing.exit_code == 2 and "Nothing to change" in nothing.output
    deleted = run(db, tmp_path, "delete", "Прайс", login="head")
    assert deleted.exit_code == 0 and "Package «Прайс» deleted" in deleted.output
    assert json.loads(run(db, tmp_path, "list", "--json").output) == []
