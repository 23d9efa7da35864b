"""``qstui onec base …`` and ``qstui onec simulator`` end to end, on both backends; the
1C password never reaches the database, the log, the output or an error message."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select, text
from tests.cli.outcome import one_line_error
from tests.services.client_support import company, inn10, make_team

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import OnecBase
from qstui.onec.simulator import Simulator, Store

PASSWORD = "Пароль-1С-q7W"
USER = "Бухгалтер"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator(Store("bp30"), user=USER, password=PASSWORD) as sim:
        yield sim


def run(
    db: Database, config_file: Path, *args: str, input: str | None = None, **env: str
) -> Result:
    url = db.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        cli,
        ["--db", url, "onec", *args],
        input=input,
        env={"QSTUI_CONFIG": str(config_file), **env},
    )


def add(db: Database, config_file: Path, name: str, url: str, *extra: str) -> Result:
    result = run(
        db,
        config_file,
        "base",
        "add",
        name,
        "--url",
        url,
        "--config",
        "bp30",
        "--user",
        USER,
        *extra,
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    return result


def test_add_keeps_the_password_in_a_private_config_file(
    db: Database, config_file: Path, simulator: Simulator
) -> None:
    result = add(db, config_file, "bp", simulator.url, "--password-stdin")
    assert str(config_file) in result.output
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert PASSWORD in config_file.read_text(encoding="utf-8")
    with db.reader() as s:
        (row,) = s.scalars(select(OnecBase)).all()
        assert row.secret is None and row.login == USER and row.config_kind == "bp30"
    listed = run(db, config_file, "base", "list", "--json")
    assert listed.exit_code == 0, listed.output
    (info,) = json.loads(listed.output)
    assert info["name"] == "bp" and info["password_source"] == "config"
    tested = run(db, config_file, "base", "test", "bp")
    assert tested.exit_code == 0, tested.output
    assert "✓ Catalog_Контрагенты" in tested.output
    removed = run(db, config_file, "base", "remove", "bp")
    assert removed.exit_code == 0, removed.output
    assert PASSWORD not in config_file.read_text(encoding="utf-8")
    with db.reader() as s:
        assert s.scalars(select(OnecBase)).all() == []


def test_other_settings_of_the_config_file_are_kept(
    db: Database, config_file: Path, simulator: Simulator
) -> None:
    config_file.parent.mkdir()
    config_file.write_text('lang = "en"\n\n[onec_passwords]\nold = "x"\n', encoding="utf-8")
    config_file.chmod(0o600)
    add(db, config_file, "bp", simulator.url, "--password-stdin")
    content = config_file.read_text(encoding="utf-8")
    assert content.startswith('lang = "en"')
    assert content.count("[onec_passwords]") == 1 and 'old = "x"' in content


def test_a_config_file_others_may_read_is_refused_and_nothing_added(
    db: Database, config_file: Path, simulator: Simulator
) -> None:
    config_file.parent.mkdir()
    config_file.write_text('lang = "ru"\n', encoding="utf-8")
    config_file.chmod(0o644)
    result = run(
        db,
        config_file,
        "base",
        "add",
        "bp",
        "--url",
        simulator.url,
        "--config",
        "bp30",
        "--user",
        USER,
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    one_line_error(result, "chmod 600")
    with db.reader() as s:
        assert s.scalars(select(OnecBase)).all() == []
    assert PASSWORD not in config_file.read_text(encoding="utf-8")


def test_a_config_file_with_1c_passwords_must_stay_private(
    db: Database, config_file: Path, simulator: Simulator
) -> None:
    add(db, config_file, "bp", simulator.url, "--password-stdin")
    config_file.chmod(0o640)
    one_line_error(run(db, config_file, "base", "list"), "chmod 600")


def test_password_from_the_environment(
    db: Database, config_file: Path, simulator: Simulator
) -> None:
    result = add(db, config_file, "bp-1", simulator.url)
    assert "QSTUI_ONEC_BP_1_PASSWORD" in result.output
    one_line_error(run(db, config_file, "base", "test", "bp-1"), "QSTUI_ONEC_BP_1_PASSWORD")
    tested = run(
        db, config_file, "base", "test", "bp-1", "--json", QSTUI_ONEC_BP_1_PASSWORD=PASSWORD
    )
    assert tested.exit_code == 0, tested.output
    assert json.loads(tested.output)["ok"] is True
    assert not config_file.exists()


def test_missing_objects_are_named_with_the_1c_menu(
    db: Database, config_file: Path, simulator: Simulator
) -> None:
    simulator.store.unpublish("Document_ПоступлениеНаРасчетныйСчет")
    add(db, config_file, "bp", simulator.url, "--password-stdin")
    result = run(db, config_file, "base", "test", "bp", "--json")
    line = one_line_error(result, "1", "Настройка стандартного интерфейса OData")
    assert "Администрирование" in line
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["missing"] == ["Document_ПоступлениеНаРасчетныйСчет"]
    plain = run(db, config_file, "base", "test", "bp")
    assert "✗ Document_ПоступлениеНаРасчетныйСчет" in plain.stdout


def test_bad_input_is_one_line(db: Database, config_file: Path) -> None:
    one_line_error(
        run(
            db,
            config_file,
            "base",
            "add",
            "база",
            "--url",
            "http://h/b/",
            "--config",
            "bp30",
            "--user",
            "u",
        ),
        "name",
    )
    one_line_error(run(db, config_file, "base", "remove", "nope"), "nope")
    one_line_error(run(db, config_file, "base", "test", "nope"), "nope")


def test_the_password_is_nowhere_but_the_config_file(
    db: Database, config_file: Path, simulator: Simulator, _log_dir: Path
) -> None:
    outputs = [add(db, config_file, "bp", simulator.url, "--password-stdin").output]
    outputs.append(run(db, config_file, "base", "test", "bp").output)
    outputs.append(run(db, config_file, "base", "list").output)
    outputs.append(run(db, config_file, "base", "list", "--json").output)
    simulator.password = "changed in 1C"  # a refused login: an error message
    failed = run(db, config_file, "base", "test", "bp")
    outputs.append(one_line_error(failed, "1C"))
    simulator.faults.fail_after(0, "500", times=10)
    outputs.append(run(db, config_file, "base", "test", "bp").output)
    assert all(PASSWORD not in out for out in outputs)
    with db.reader() as s:  # no column of any row of the base holds it
        rows = s.execute(text("SELECT * FROM onec_bases")).all()
        assert rows and all(PASSWORD not in str(value) for row in rows for value in row)
    for path in _log_dir.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
    database_file = Path(db.url.database or "")  # SQLite's file, or the local .fdb
    assert database_file.is_file(), database_file
    # closed first: opening and closing the file in this process would drop the POSIX
    # locks SQLite's open connections hold on it (they are the process's, not the
    # descriptor's), and another process could then delete the WAL under them
    db.engine.dispose()
    assert PASSWORD.encode() not in database_file.read_bytes()


@pytest.mark.parametrize("seed_from_db", [False, True], ids=["built-in", "from-db"])
def test_the_simulator_command_serves_until_stopped(
    db: Database, tmp_path: Path, seed_from_db: bool
) -> None:
    team = make_team(db)
    for n in range(10):
        company(team.ivanov, f"Фирма {n}", inn=inn10(n + 1), kpp="773601001")
    env = {
        **os.environ,
        "QSTUI_CONFIG": str(tmp_path / "c.toml"),
        "QSTUI_LOG_DIR": str(tmp_path / "log"),
        "QSTUI_DB": db.url.render_as_string(hide_password=False),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    args = ["onec", "simulator", "--port", "0", "--config", "unf", "--password-stdin"]
    process = subprocess.Popen(
        [sys.executable, "-m", "qstui", *args, *(["--seed-from-db"] if seed_from_db else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(PASSWORD + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        url = next(word for word in line.split() if word.startswith("http://"))
        assert PASSWORD not in line
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()  # what ps shows
        assert b"simulator" in command_line and PASSWORD.encode() not in command_line
        auth = ("Администратор", PASSWORD)
        response = httpx.get(url + "Catalog_Контрагенты?$format=json", auth=auth)
        assert response.status_code == 200
        inns = {item["ИНН"] for item in response.json()["value"]}
        ours = {inn10(n + 1) for n in range(10)}
        if seed_from_db:  # 4 same, 1 other name, 1 other KPP, 4 only in qstui, 3 only in 1C
            assert len(inns & ours) == 6 and len(inns) == 9
        else:
            assert not inns & ours and len(inns) == 16
        assert "Document_РасходнаяНакладная" in httpx.get(url + "$metadata", auth=auth).text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    assert process.returncode == 143
