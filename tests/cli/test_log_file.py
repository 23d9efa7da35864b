"""The log file (``qstui.logs``): an unexpected error leaves its traceback there, the
one line on stderr names the file, and no password reaches either, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import file_mode

from qstui.db.engine import Database

OTHER_URL = "firebird://crm:s3cret-Pw@srv/srv/crm.fdb"
OTHER_PASSWORD = "s3cret-Pw"

# The real ``qstui`` command with one more subcommand, which works on the database
# and then fails the way a bug would: deep in a call, with the database URL, its
# password and another URL in the exception.
FAILING_COMMAND = f"""
import sys
from sqlalchemy import func, select
from qstui.cli.main import cli, main
from qstui.cli.state import state
from qstui.db.models import Company
from qstui.db.urls import normalize_url


def read_companies():
    settings = state().settings
    with state().context().db.reader() as session:
        session.scalar(select(func.count()).select_from(Company))
        password = normalize_url(settings.db_url).password or ""
        raise RuntimeError(f"lost {{settings.db_url}} (password {{password}}), then {OTHER_URL}")


@cli.command("boom")
def boom():
    read_companies()


main(sys.argv[1:])
"""


def run_failing(db: Database, backend: str, log_dir: Path) -> subprocess.CompletedProcess:
    url = db.url.render_as_string(hide_password=False)
    env = dict(os.environ, QSTUI_LANG="en", QSTUI_LOG_DIR=str(log_dir))
    args = [sys.executable, "-c", FAILING_COMMAND]
    if backend == "sqlite":
        env.pop("QSTUI_DB", None)
        args += ["--db", url]
    else:
        env["QSTUI_DB"] = url  # as the admin of a server-side deployment keeps it
    return subprocess.run(
        [*args, "boom"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_an_unexpected_error_is_one_line_naming_the_log_file_without_passwords(
    db, backend, tmp_path, open_umask
):
    log_dir = tmp_path / "state" / "log"
    done = run_failing(db, backend, log_dir)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    file = log_dir / "qstui.log"
    assert lines[0].startswith("Error: Unexpected error: RuntimeError: lost ")
    assert lines[0].endswith(f"The details are in the log file {file}.")
    assert "firebird://crm:***@srv/srv/crm.fdb" in lines[0]

    text = file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "in read_companies" in text and "RuntimeError: lost " in text
    secrets = [OTHER_PASSWORD]
    if backend == "firebird":
        secrets.append(db.url.password)
        assert "(password ***)" in text and "(password ***)" in lines[0]
    for secret in secrets:
        assert secret and secret not in text and secret not in done.stderr
    assert file_mode(file) == 0o600 and file_mode(log_dir) == 0o700


ROTATING = """
import logging, sys
from pathlib import Path
from qstui import logs

file = logs.configure(Path(sys.argv[1]), ["pw-123456"])
for n in range(1500):
    logging.getLogger("qstui.test").error("line %d %s pw-123456", n, "x" * 1000)
print(file)
"""


@pytest.mark.one_backend
def test_the_log_file_is_rotated_and_every_file_is_private(tmp_path, open_umask):
    done = subprocess.run(
        [sys.executable, "-c", ROTATING, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == str(tmp_path / "qstui.log")
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["qstui.log", "qstui.log.1"]
    for name in files:
        assert file_mode(tmp_path / name) == 0o600
        assert (tmp_path / name).stat().st_size <= 1 << 20
        assert "pw-123456" not in (tmp_path / name).read_text(encoding="utf-8")
    assert "line 1499 " in (tmp_path / "qstui.log").read_text(encoding="utf-8")
