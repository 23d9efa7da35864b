"""Input that used to crash the CLI with a traceback or misbehave silently (issue 10,
"Crashes with a traceback") now ends in one clear line and exit code 1, and nothing is
lost or half-written: ids beyond the INTEGER range, database URLs that cannot be read
(the password never repeated), an empty ``--db``, and CSV files that are endless, binary,
hold a giant cell or a quote left open; an import with rejected lines exits with 1."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from qstui.cli.main import cli
from qstui.db.engine import Database
from qstui.db.models import AuditEntry, Company, Event, Phone, SearchWord
from qstui.domain.clients import CompanyInput
from qstui.services.clients import companies as C
from qstui.services.context import Context

TABLES = (Company, Phone, Event, SearchWord, AuditEntry)
SECRET = ("Zq7", "Wk9")  # the two halves of a password cut at its "@"


def url_of(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def run(args: list[str], env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env=env)


def one_line(result: Result) -> str:
    """The only line the command printed; it failed with exit code 1, not a crash."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info  # not an uncaught error
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def snapshot(db: Database) -> dict[str, int]:
    with db.reader() as s:
        return {
            t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES
        }


# --- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["2147483648", "3000000000", "99999999999999999999"])
def test_an_id_beyond_the_integer_range_is_not_found(db, number):
    company_id = C.create_company(Context.system(db), CompanyInput(name="Ромашка"))
    before = snapshot(db)
    for args in (
        ["client", "show", number],
        ["client", "edit", number, "--name", "Другая"],
        ["deal", "show", number],
        ["deal", "list", "--company", number],
        ["event", "done", number],
        ["event", "log", str(company_id), "--type", "call", "--subject", "x", "--deal", number],
    ):
        line = one_line(run(["--db", url_of(db), "--lang", "en", *args]))
        assert "not found" in line and f"«{number}»" in line, args
    line = one_line(run(["--db", url_of(db), "--lang", "ru", "client", "show", number]))
    assert line.endswith(f"Компания «{number}»: не найдено (или нет доступа)")
    assert snapshot(db) == before


# --- database URLs --------------------------------------------------------------------------


def _bad_urls() -> dict[str, str]:
    a, b = SECRET
    at = f"firebird://SYSDBA:{a}@{b}@127.0.0.1:3050//srv/crm.fdb"
    at_colon = f"firebird://SYSDBA:{a}@{b}:1@127.0.0.1:3050//srv/crm.fdb"
    port = f"firebird://SYSDBA:{a}{b}@127.0.0.1:30x0//srv/crm.fdb"
    return {"@": at, "@ and :": at_colon, "port": port}


@pytest.mark.parametrize("problem", ["@", "@ and :", "port"])
@pytest.mark.parametrize("where", ["--db", "QSTUI_DB", "config"])
def test_a_database_url_that_cannot_be_read_is_named_without_the_password(tmp_path, problem, where):
    url = _bad_urls()[problem]
    config = tmp_path / "config.toml"
    env: dict[str, str | None] = {"QSTUI_CONFIG": str(config), "QSTUI_DB": None}
    args = ["--lang", "en", "db", "info"]
    if where == "--db":
        args = ["--db", url, *args]
    elif where == "QSTUI_DB":
        env["QSTUI_DB"] = url
    else:
        config.write_text(f'db = "{url}"\n', encoding="utf-8")
    line = one_line(run(args, env))
    source = str(config) if where == "config" else where
    assert line.startswith(f"Error: {source}: ")
    if problem == "port":
        assert "The port in the database URL is not a number" in line
    else:
        assert "holds “@”: write it as %40" in line
    assert not any(half in line for half in SECRET)


def test_a_database_url_error_is_in_the_users_language(tmp_path):
    url = _bad_urls()["@"]
    env: dict[str, str | None] = {"QSTUI_CONFIG": str(tmp_path / "none.toml"), "QSTUI_DB": url}
    line = one_line(run(["--lang", "ru", "client", "list"], env))
    assert "QSTUI_DB: В имени пользователя или пароле в адресе базы данных есть «@»" in line
    assert not any(half in line for half in SECRET)


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_db_option_is_refused_and_creates_no_database(tmp_path, empty):
    data = tmp_path / "data"
    fallback = tmp_path / "fallback.sqlite3"
    env: dict[str, str | None] = {
        "QSTUI_DATA_DIR": str(data),
        "QSTUI_CONFIG": str(tmp_path / "none.toml"),
        "QSTUI_DB": str(fallback),  # an empty --db must not fall back to it either
    }
    line = one_line(run(["--db", empty, "--lang", "en", "db", "init"], env))
    assert line == "Error: The --db option is empty: give a database URL or a file path"
    line = one_line(run(["--db", empty, "--lang", "ru", "client", "list"], env))
    assert "Параметр --db пуст" in line
    assert not data.exists() and not fallback.exists()


# --- import ---------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _import(db: Database, path: Path | str, lang: str = "en") -> Result:
    return run(["--db", url_of(db), "--lang", lang, "client", "import", str(path), "--apply"])


def test_a_cell_over_the_csv_field_limit_stops_the_import_naming_its_line(db, tmp_path):
    before = snapshot(db)
    path = _csv(tmp_path, "Наименование;Примечание\nАстра;\nБета;" + "x" * 140_000 + "\n")
    line = one_line(_import(db, path))
    assert line == (
        "Error: file: Line 3: a cell is longer than 131072 characters (is a quote left open?)"
    )
    line = one_line(_import(db, path, "ru"))
    assert "Строка 3: ячейка длиннее 131072 символов" in line
    assert snapshot(db) == before  # not even line 2: the file is refused whole


def test_a_binary_file_is_refused(db, tmp_path):
    before = snapshot(db)
    path = tmp_path / "zeros.csv"
    path.write_bytes(b"\0" * 4096)
    line = one_line(_import(db, path))
    assert line == "Error: file: The file is not text: save it as CSV in UTF-8 or Windows-1251"
    assert snapshot(db) == before


def _limit_memory() -> None:
    """In the child: at most 1 GB of data, so a reader of the whole file fails fast
    instead of filling the machine's memory."""
    resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, 1 << 30))


def test_importing_dev_zero_reads_a_bounded_amount_and_is_refused(db):
    before = snapshot(db)
    command = ["client", "import", "/dev/zero", "--apply"]
    done = subprocess.run(
        [sys.executable, "-m", "qstui", "--db", url_of(db), "--lang", "en", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr == "Error: file: The file is larger than 64 MB: split it into parts\n"
    assert snapshot(db) == before


def test_a_quote_left_open_rejects_the_lines_it_runs_together(db, tmp_path):
    before = snapshot(db)
    path = _csv(
        tmp_path,
        "Наименование;ИНН;Город\n"
        "Астра;;Омск\n"  # 2
        '"Ромашка;7707083893;Москва\n'  # 3: the quote is never closed on its line …
        "Лютик;7736207543;Тула\n"  # 4
        '"Василёк";;Тверь\n'  # 5: … until the quote opening this line
        "Бета;;Пермь\n",  # 6
    )
    result = _import(db, path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines() == [
        "Imported: 2 created, 0 updated, 0 unchanged, 1 rejected",
        "line 3: Lines 3–5 run together: a quote opened on line 3 is not closed where "
        "the line ends",
    ]
    with db.reader() as s:
        names = set(s.scalars(select(Company.name)))
    assert names == {"Астра", "Бета"}
    assert snapshot(db)["companies"] == before["companies"] + 2

    # a quote left open in the last column runs to the end of the file
    path = _csv(
        tmp_path,
        'Наименование;ИНН;Город\nВолга;;"Самара\nДон;;Ростов\nОка;;Калуга\n',
    )
    result = _import(db, path, "ru")
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        "строка 2: Строки 2–4 слились в одну: кавычка, открытая в строке 2, не закрыта "
        "в конце строки"
    )
    assert snapshot(db)["companies"] == before["companies"] + 2


def test_a_quoted_cell_with_line_breaks_is_still_one_good_record(db, tmp_path):
    path = _csv(
        tmp_path,
        'Наименование;Примечание;Город\nАстра;"звонить после обеда;\nспросить Ивана";Омск\n'
        "Бета;;Пермь\n",
    )
    result = _import(db, path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Imported: 2 created, 0 updated, 0 unchanged, 0 rejected"]
    with db.reader() as s:
        notes = s.scalar(select(Company.notes).where(Company.name == "Астра"))
    assert notes == "звонить после обеда;\nспросить Ивана"


# --- a config file with the database's password ----------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o600])
def test_a_config_file_with_a_password_must_be_private(tmp_path, mode):
    """Whoever reads the config file holds the database: with a password in its URL it
    must be readable by its owner only, or qstui refuses to start."""
    config = tmp_path / "config.toml"
    database = tmp_path / "crm.sqlite3"
    config.write_text(
        f'db = "firebird://crm:{SECRET[0]}{SECRET[1]}@127.0.0.1:9/{database}"\n', encoding="utf-8"
    )
    config.chmod(mode)
    env: dict[str, str | None] = {"QSTUI_CONFIG": str(config), "QSTUI_DB": None}
    result = run(["--lang", "en", "setting", "list"], env)
    if mode == 0o600:  # it goes on to the (unreachable) server: not refused for the file
        assert "others may read it" not in result.output
        return
    line = one_line(result)
    assert f"The config file {config} holds the database password" in line
    assert f"(mode {oct(mode)[2:]}): run chmod 600 {config}" in line
    assert not any(half in line for half in SECRET)


def test_a_config_file_without_a_password_may_be_read_by_others(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{tmp_path / "crm.sqlite3"}"\nlang = "en"\n', encoding="utf-8")
    config.chmod(0o644)
    env: dict[str, str | None] = {"QSTUI_CONFIG": str(config), "QSTUI_DB": None}
    assert run(["db", "init"], env).exit_code == 0
