"""Writing packages (P1) on both backends: create, change, deactivate and delete a
package (one that was sent is kept), placeholders checked, files attached from a path
within the size the admin set, renamed, moved and detached; rights and version
conflicts checked by the services themselves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.services.client_support import Team, make_team
from tests.services.package_support import clients, configure
from tests.smtp_server import PASSWORD, SmtpServer, smtp_server

from qstui.config import log_dir
from qstui.db.engine import Database
from qstui.db.models import AuditEntry, Material, PackageMaterial
from qstui.domain.enums import AuditAction
from qstui.domain.errors import AccessDenied, Conflict, NotFound, ServiceError, ValidationFailed
from qstui.mail.secrets import KEY, mail_secrets
from qstui.services.access import settings as S
from qstui.services.access import users as U
from qstui.services.context import context_for
from qstui.services.mailing import materials as M
from qstui.services.mailing import package_edit as E
from qstui.services.mailing import packages as P
from qstui.services.mailing import sending as SND

KNOWN = "{контакт}, {компания}, {менеджер}, {дата}"


@pytest.fixture(scope="module")
def server() -> Iterator[SmtpServer]:
    with smtp_server(auth=True) as running:
        yield running


@pytest.fixture
def team(db: Database) -> Team:
    return make_team(db)


def _errors(caught: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return caught.value.errors


def _audit(db: Database, kind: str, ident: int) -> list[tuple[AuditAction, dict | None]]:
    with db.reader() as s:
        rows = s.execute(
            select(AuditEntry.action, AuditEntry.changes)
            .where(AuditEntry.object_kind == kind, AuditEntry.object_id == ident)
            .order_by(AuditEntry.id)
        ).all()
    return [(action, changes) for action, changes in rows]


def test_a_package_is_created_changed_and_audited(db: Database, team: Team) -> None:
    ctx = team.ivanov
    body = "Здравствуйте, {контакт}!\n\nДля {компания}: прайс на {дата}.\n{менеджер}"
    package_id = E.create_package(ctx, "  Прайс 2026 ", "Прайс для {компания}", body)
    detail = P.get_package(ctx, package_id)
    assert (detail.name, detail.subject) == ("Прайс 2026", "Прайс для {компания}")
    assert detail.body == body
    assert detail.is_active and detail.materials == () and detail.sendings == 0
    version = E.update_package(
        ctx, package_id, detail.version, name="Прайс 2027", subject="Новый прайс", body=""
    )
    detail = P.get_package(ctx, "Прайс 2027")
    assert (detail.subject, detail.body, detail.version) == ("Новый прайс", "", version)
    assert version == E.update_package(ctx, package_id, version, name="Прайс 2027")  # no change
    version = E.update_package(ctx, package_id, version, is_active=False)
    assert not P.get_package(ctx, package_id).is_active
    assert [p.is_active for p in P.list_packages(ctx)] == [False]
    trail = _audit(db, E.KIND, package_id)
    assert [action for action, _c in trail] == [AuditAction.CREATE] + [AuditAction.UPDATE] * 2
    assert trail[0][1]["name"] == [None, "Прайс 2026"]  # type: ignore[index]
    assert trail[1][1]["name"] == ["Прайс 2026", "Прайс 2027"]  # type: ignore[index]
    assert trail[2][1] == {"is_active": [True, False]}


def test_bad_values_are_refused_field_by_field(db: Database, team: Team) -> None:
    ctx = team.ivanov
    first = E.create_package(ctx, "Прайс", "Тема")
    with pytest.raises(ValidationFailed) as caught:
        E.create_package(ctx, "ПРАЙС", "Тема для {Компания}", "Текст {клиент} и {контакт}")
    errors = _errors(caught)
    assert errors["name"] == "A package «ПРАЙС» already exists"
    assert errors["subject"] == f"Unknown placeholder {{Компания}}: use {KNOWN}"
    assert errors["body"] == f"Unknown placeholder {{клиент}}: use {KNOWN}"
    with pytest.raises(ValidationFailed) as caught:
        E.create_package(ctx, "2026", " ", "x" * (E.BODY_MAX + 1))
    assert _errors(caught) == {
        "name": "A name of digits only would read as a package number",
        "subject": "Required",
        "body": f"At most {E.BODY_MAX} characters",
    }
    second = E.create_package(ctx, "Буклет", "Буклет")
    version = P.get_package(ctx, second).version
    with pytest.raises(ValidationFailed) as caught:
        E.update_package(ctx, second, version, name="прайс", is_active="нет", colour="red")
    assert set(_errors(caught)) == {"colour"}
    with pytest.raises(ValidationFailed) as caught:
        E.update_package(ctx, second, version, name="прайс", is_active="нет")
    assert set(_errors(caught)) == {"name", "is_active"}
    assert E.update_package(ctx, first, P.get_package(ctx, first).version, name="прайс") > 1
    assert sorted(p.name for p in P.list_packages(ctx)) == ["Буклет", "прайс"]
    with pytest.raises(NotFound):
        E.update_package(ctx, 999_999, 1, subject="x")


def test_a_second_save_from_the_same_version_is_a_conflict(db: Database, team: Team) -> None:
    package_id = E.create_package(team.ivanov, "Прайс", "Тема")
    version = P.get_package(team.ivanov, package_id).version
    E.update_package(team.ivanov, package_id, version, subject="Тема Иванова")
    with pytest.raises(Conflict) as caught:
        E.update_package(team.petrova, package_id, version, subject="Тема Петровой")
    assert caught.value.changed_by == "Иван Иванов"
    with pytest.raises(Conflict):
        E.delete_package(team.head, package_id, version)
    assert P.get_package(team.ivanov, package_id).subject == "Тема Иванова"


def test_rights_are_checked_in_the_services(db: Database, team: Team, tmp_path: Path) -> None:
    package_id = E.create_package(team.ivanov, "Прайс", "Тема")
    file = tmp_path / "прайс.txt"
    file.write_text("цены", encoding="utf-8")
    material_id = M.attach_file(team.ivanov, package_id, file)
    U.revoke(team.system, "petrova", "edit")
    petrova = context_for(db, "petrova")
    version = P.get_package(petrova, package_id).version  # reading stays open to her
    for call in (
        lambda: E.create_package(petrova, "Другой", "Тема"),
        lambda: E.update_package(petrova, package_id, version, subject="x"),
        lambda: E.delete_package(petrova, package_id, version),
        lambda: M.attach_file(petrova, package_id, file),
        lambda: M.rename_material(petrova, material_id, 1, "x"),
        lambda: M.move_material(petrova, package_id, material_id, 1),
        lambda: M.detach_material(petrova, package_id, material_id),
    ):
        with pytest.raises(AccessDenied, match="“edit”"):
            call()
    with pytest.raises(AccessDenied, match="“delete”"):  # a manager deactivates instead
        E.delete_package(team.ivanov, package_id, version)
    U.revoke(team.system, "ivanov", "packages")
    with pytest.raises(AccessDenied, match="“packages”"):
        E.create_package(context_for(db, "ivanov"), "Другой", "Тема")
    assert [m.id for m in P.get_package(team.head, package_id).materials] == [material_id]


def test_files_are_attached_renamed_moved_and_detached(
    db: Database, team: Team, tmp_path: Path
) -> None:
    ctx = team.ivanov
    package_id = E.create_package(ctx, "Прайс", "Тема")
    pdf = tmp_path / "Прайс-лист 2026.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 50)
    text = tmp_path / "условия.txt"
    text.write_text("Условия поставки", encoding="utf-8")
    odd = tmp_path / "данные.qstuix"
    odd.write_bytes(b"\x00\x01")
    a = M.attach_file(ctx, package_id, pdf)
    b = M.attach_file(ctx, package_id, str(text), title="  Условия  ")
    c = M.attach_file(ctx, package_id, odd)
    shown = P.get_package(ctx, package_id).materials
    assert [(m.id, m.title, m.file_name, m.mime_type) for m in shown] == [
        (a, "Прайс-лист 2026", "Прайс-лист 2026.pdf", "application/pdf"),
        (b, "Условия", "условия.txt", "text/plain"),
        (c, "данные", "данные.qstuix", "application/octet-stream"),
    ]
    assert shown[0].size_bytes == pdf.stat().st_size
    letter = SND.load_letter(ctx, package_id)
    assert letter.attachments[0].content == pdf.read_bytes()
    assert M.move_material(ctx, package_id, c, -1) and not M.move_material(ctx, package_id, a, -1)
    assert M.move_material(ctx, package_id, a, 5)
    assert [m.id for m in P.get_package(ctx, package_id).materials] == [c, b, a]
    version = M.rename_material(ctx, b, shown[1].version, "Условия поставки")
    assert P.get_package(ctx, package_id).materials[1].title == "Условия поставки"
    with pytest.raises(Conflict):
        M.rename_material(team.petrova, b, shown[1].version, "Другое")
    with pytest.raises(ValidationFailed) as caught:
        M.rename_material(ctx, b, version, "  ")
    assert _errors(caught) == {"title": "Required"}
    M.detach_material(ctx, package_id, c)
    assert [m.id for m in P.get_package(ctx, package_id).materials] == [b, a]
    with pytest.raises(NotFound):
        M.detach_material(ctx, package_id, c)
    with db.reader() as s:
        assert s.get(Material, c) is None  # no package holds it any more
    trail = _audit(db, E.KIND, package_id)
    materials = [c["materials"] for _a, c in trail if c and "materials" in c]
    assert materials[0] == [[], [a]] and materials[-1] == [[c, b, a], [b, a]]
    created = _audit(db, E.MATERIAL_KIND, a)[0]
    assert created[0] == AuditAction.CREATE and "content" not in (created[1] or {})
    assert created[1]["size_bytes"] == [None, pdf.stat().st_size]  # type: ignore[index]


def test_files_that_cannot_be_attached_are_refused(
    db: Database, team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = team.ivanov
    config = tmp_path / "config.toml"  # the admin's, with the SMTP password
    config.write_text("[smtp_passwords]\n", encoding="utf-8")
    monkeypatch.setenv("QSTUI_CONFIG", str(config))
    log = log_dir() / "qstui.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.touch()
    package_id = E.create_package(ctx, "Прайс", "Тема")
    S.set_setting(team.system, S.PACKAGES_MAX_ATTACHMENT_MB, 1)
    exact = tmp_path / "ровно.bin"
    exact.write_bytes(b"\x07" * M.MB)
    over = tmp_path / "больше.bin"
    over.write_bytes(b"\x07" * (M.MB + 1))
    empty = tmp_path / "пусто.txt"
    empty.touch()
    fifo = tmp_path / "труба"
    os.mkfifo(fifo)
    own = "is one of qstui's own files (settings, database, log): not attached"
    cases = {
        tmp_path / "нет.pdf": f"No such file: {tmp_path / 'нет.pdf'}",
        tmp_path: f"{tmp_path} is a folder: give the path of a file",
        fifo: f"{fifo} is not a plain file",
        empty: f"{empty} is empty",
        over: f"{over} is 1.0 MB: larger than 1 MB, the largest attachment "
        "(setting packages.max_attachment_mb)",
        "": "Required",
        config: f"{config} {own}",
        log: f"{log} {own}",
    }
    for path, message in cases.items():
        with pytest.raises(ValidationFailed) as caught:
            M.attach_file(ctx, package_id, path)
        assert _errors(caught) == {"file": message}
    with pytest.raises(NotFound):
        M.attach_file(ctx, 999_999, exact)
    assert M.attach_file(ctx, package_id, exact) > 0
    with db.reader() as s:
        assert len(s.scalars(select(PackageMaterial)).all()) == 1
    # a session of `qstui serve`: a browser's user attaches only from the documents folder
    shared = tmp_path / "Документы"
    shared.mkdir()
    (shared / "прайс.pdf").write_bytes(b"%PDF-1.4")
    monkeypatch.setenv("QSTUI_SERVED", "1")
    monkeypatch.setenv("QSTUI_DOCUMENTS_DIR", str(shared))
    with pytest.raises(ValidationFailed) as caught:
        M.attach_file(ctx, package_id, exact)
    assert f"attached only from the folder {shared}" in _errors(caught)["file"]
    assert M.attach_file(ctx, package_id, shared / "прайс.pdf") > 0


def test_a_package_sent_is_kept_and_an_inactive_one_is_not_sent(
    db: Database, team: Team, server: SmtpServer, tmp_path: Path
) -> None:
    configure(team, server.port)
    secrets = mail_secrets(tmp_path / "config.toml", env={})
    secrets.store(KEY, PASSWORD)
    file = tmp_path / "прайс.txt"
    file.write_text("цены", encoding="utf-8")
    sent = E.create_package(team.ivanov, "Прайс", "Прайс для {компания}", "Добрый день, {контакт}")
    M.attach_file(team.ivanov, sent, file)
    never = E.create_package(team.ivanov, "Черновик", "Тема")
    kept = M.attach_file(team.ivanov, never, file)
    (company_id,) = clients(team.ivanov, 1, 1)
    recipients = SND.client_recipients(team.ivanov, company_id)
    assert all(o.sent for o in SND.send_package(team.ivanov, secrets, sent, recipients))
    detail = P.get_package(team.head, sent)
    assert detail.sendings == 1
    with pytest.raises(ServiceError, match="cannot be deleted: it has been sent") as caught:
        E.delete_package(team.head, sent, detail.version)
    assert "Deactivate it instead" in str(caught.value)
    E.update_package(team.ivanov, sent, detail.version, is_active=False)
    with pytest.raises(ServiceError, match="«Прайс» is inactive: activate it before sending"):
        SND.send_package(team.ivanov, secrets, sent, recipients)
    assert P.get_package(team.head, sent).sendings == 1
    E.delete_package(team.head, never, P.get_package(team.head, never).version)
    with pytest.raises(NotFound):
        P.get_package(team.head, never)
    with db.reader() as s:
        assert s.get(Material, kept) is None
    assert [a for a, _c in _audit(db, E.KIND, never)][-1] == AuditAction.DELETE
    assert [a for a, _c in _audit(db, E.MATERIAL_KIND, kept)][-1] == AuditAction.DELETE
