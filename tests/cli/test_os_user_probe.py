"""Issue 10's probe: an unprivileged OS user holding only a manager's own Firebird
login runs the CLI and a raw firebird-driver connection against the shared server, and
every way around the services is refused. Firebird only, and root only (the test makes
the OS user ``qstui-probe`` and runs its processes with ``setpriv``)."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pwd
import select as fd_select
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.services.client_support import company
from tests.services.firebird_login_support import drop_logins, new_login, per_user_database

import qstui
from qstui.db.engine import Database
from qstui.db.grants import OWN_LOGIN, ROLE
from qstui.db.models import AuditEntry
from qstui.db.urls import firebird_dsn
from qstui.domain.enums import Role
from qstui.services.access import own_logins
from qstui.services.access import users as U
from qstui.services.context import Context, context_for

PROBE = "qstui-probe"
PASSWORD = "Probe-Пароль-1"
OTHER_PASSWORD = "Other-Пароль-2"

# The raw connection a manager's own SQL tool makes: each statement on its own,
# committed; what it answered, as JSON on stdout.
RAW_SCRIPT = """
import json, sys
from firebird.driver import connect
job = json.loads(sys.stdin.read())
out = {}
try:
    con = connect(job["dsn"], user=job["user"], password=job["password"], role=job["role"],
                  charset="UTF8")
except Exception as exc:
    print(json.dumps({"connect": "refused: " + str(exc)}))
    sys.exit(0)
for statement in job["statements"]:
    try:
        with con.cursor() as cur:
            cur.execute(statement)
            rows = [list(map(str, r)) for r in cur.fetchall()] if cur.description else []
        con.commit()
        out[statement] = rows
    except Exception as exc:
        con.rollback()
        out[statement] = "refused: " + str(exc)
con.close()
print(json.dumps(out))
"""


def _probe_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(PROBE)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PROBE],
            capture_output=True,
        )  # a parallel worker may have made it meanwhile: look again
        return pwd.getpwnam(PROBE)


def _python_for(user: pwd.struct_passwd, env: dict[str, str], cwd: Path) -> str | None:
    """An interpreter the probe user can run with qstui and its libraries: this one,
    or the system's of the same version when this one lives under a private home."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/python{version}"):
        tried = subprocess.run(
            [*_as(user), candidate, "-c", "import qstui.cli.main, firebird.driver"],
            env=env,
            cwd=cwd,
            capture_output=True,
        )
        if tried.returncode == 0:
            return candidate
    return None


def _as(user: pwd.struct_passwd) -> list[str]:
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--",
    ]


@dataclass
class Probe:
    """The OS user ``qstui-probe`` with a temporary home holding a manager's config."""

    user: pwd.struct_passwd
    home: Path
    env: dict[str, str]
    python: str
    dirs: list[Path] = field(default_factory=list)

    def run(self, *argv: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_as(self.user), *argv],
            input=stdin,
            env={**self.env, **env},
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def qstui(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return self.run(self.python, "-m", "qstui", *args, stdin=stdin, **env)

    def tui(self, *lines: str, until: str, timeout: float = 60.0) -> str:
        """The TUI in a real terminal (a pseudo-terminal of 100×30) as this OS user: each
        of ``lines`` typed with Enter, 2 s after the first paint and after each other (the
        cursor blinks, so the screen is never quiet); what it drew until ``until``
        appeared (or ``timeout`` passed), escape sequences included."""
        leader, follower = os.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        process = subprocess.Popen(
            [*_as(self.user), self.python, "-m", "qstui"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env={**self.env, "TERM": "xterm-256color"},
            cwd=self.home,
            start_new_session=True,
        )
        os.close(follower)
        drawn = b""
        pending = list(lines)
        last_step = 0.0
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and until.encode() not in drawn:
                ready, _, _ = fd_select.select([leader], [], [], 0.2)
                if ready:
                    try:
                        drawn += os.read(leader, 65536)
                    except OSError:  # the program ended
                        break
                    last_step = last_step or time.monotonic()
                if pending and last_step and time.monotonic() - last_step > 2.0:
                    os.write(leader, pending.pop(0).encode() + b"\r")
                    last_step = time.monotonic()
        finally:
            process.kill()
            process.wait()
            os.close(leader)
        return drawn.decode("utf-8", "replace")

    def raw(self, db: Database, login: str, password: str, *statements: str) -> dict[str, object]:
        job = {
            "dsn": firebird_dsn(db.url),
            "user": login,
            "password": password,
            "role": ROLE,
            "statements": list(statements),
        }
        done = self.run(self.python, "-c", RAW_SCRIPT, stdin=json.dumps(job))
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@dataclass
class Server:
    db: Database
    system: Context
    admin_config: Path
    logins: list[str] = field(default_factory=list)

    def user(self, role: Role, password: str = PASSWORD) -> str:
        name = new_login()
        self.logins.append(name)
        U.create_user(self.system, name, f"Пробный {name}", role, password, "Продажи")
        return name


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    if db.backend != "firebird":
        pytest.skip("Firebird only: the manager's own login is a Firebird server login")
    system = Context.system(db)
    own_logins.switch(system, True)
    admin_dir = Path(tempfile.mkdtemp(prefix="qstui-admin-"))
    admin_dir.chmod(0o755)  # the file's own mode is what keeps others out
    config = admin_dir / "config.toml"
    config.write_text(f'db = "{db.url.render_as_string(hide_password=False)}"\n')
    config.chmod(0o600)
    made = Server(db, system, config)
    yield made
    drop_logins(db, made.logins)
    shutil.rmtree(admin_dir)


@pytest.fixture
def probe(db: Database) -> Iterator[Probe]:
    if db.backend != "firebird":
        pytest.skip("Firebird only: the manager's own login is a Firebird server login")
    if os.geteuid() != 0:
        pytest.skip("runs as root only: it makes the OS user qstui-probe and runs as it")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run as the OS user qstui-probe")
    user = _probe_user()
    home = Path(tempfile.mkdtemp(prefix="qstui-probe-"))
    (home / ".config" / "qstui").mkdir(parents=True)
    url = per_user_database(db).url.render_as_string(hide_password=False)
    (home / ".config" / "qstui" / "config.toml").write_text(f'db = "{url}"\n')
    for path in [home, *home.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    home.chmod(0o700)
    source = str(Path(qstui.__file__).resolve().parents[1])
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "USER": PROBE,
        "LOGNAME": PROBE,
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONPATH": os.pathsep.join([source, sysconfig.get_paths()["purelib"]]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
        "QSTUI_LANG": "en",
    }
    python = _python_for(user, env, home)
    if python is None:
        shutil.rmtree(home)
        pytest.skip(f"no Python with qstui's libraries that the OS user {PROBE} may run")
    yield Probe(user, home, env, python)
    shutil.rmtree(home)


def _audit_rows(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _names(listing: subprocess.CompletedProcess[str]) -> set[str]:
    assert listing.returncode == 0, listing.stderr
    return {row["name"] for row in json.loads(listing.stdout)}


def test_a_manager_s_os_account_cannot_get_around_the_services(server, probe):
    db = server.db
    admin = server.user(Role.ADMIN, OTHER_PASSWORD)
    manager = server.user(Role.MANAGER)
    other = server.user(Role.MANAGER, OTHER_PASSWORD)
    locked = server.user(Role.MANAGER)
    U.lock_user(server.system, locked)
    company(context_for(db, manager), "ООО Своя")
    company(context_for(db, other), "ООО Чужая")
    owner_password = db.url.password or ""
    assert owner_password

    # The administrator's credentials: neither the file nor qstui reading it as config.
    cat = probe.run("cat", str(server.admin_config))
    assert cat.returncode != 0 and "Permission denied" in cat.stderr
    borrowed = probe.qstui("client", "list", QSTUI_CONFIG=str(server.admin_config))
    assert borrowed.returncode != 0
    assert owner_password not in borrowed.stdout + borrowed.stderr
    assert "Traceback" not in borrowed.stderr
    database_file = probe.run("cat", db.url.database or "")
    assert database_file.returncode != 0  # the server's file, not the managers'

    # What a manager may do, the manager does.
    mine = probe.qstui(
        "client", "list", "--json", "--as", manager, "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert _names(mine) == {"ООО Своя"}

    # Everything else is refused by the CLI.
    refusals = {
        "another user without their password": probe.qstui(
            "client", "list", "--as", other, "--password-stdin", stdin=PASSWORD + "\n"
        ),
        "the administrator without the password": probe.qstui(
            "client", "list", "--as", admin, "--password-stdin", stdin=PASSWORD + "\n"
        ),
        "a locked user": probe.qstui(
            "client", "list", "--as", locked, "--password-stdin", stdin=PASSWORD + "\n"
        ),
        "granting rights": probe.qstui(
            "user", "grant", manager, "see.all", "users.admin", "export"
        ),
        "another user's password": probe.qstui(
            "user", "passwd", other, "--password-stdin", stdin="Taken-over-1\n"
        ),
        "exporting without the right": probe.qstui(
            "client",
            "export",
            "all.csv",
            "--as",
            manager,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ),
    }
    for what, result in refusals.items():
        assert result.returncode != 0, f"{what}: {result.stdout}"
        assert "Traceback" not in result.stderr, what
        assert result.stderr.strip(), what
    assert not (probe.home / "all.csv").exists()

    # With the right to export, the manager exports what the manager sees: no more.
    U.grant(server.system, manager, "export")
    exported = probe.qstui(
        "client", "export", "own.csv", "--as", manager, "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert exported.returncode == 0, exported.stderr
    with (probe.home / "own.csv").open(encoding="utf-8-sig") as handle:
        text = handle.read()
    assert "ООО Своя" in text and "ООО Чужая" not in text
    assert len(list(csv.reader(text.splitlines(), delimiter=";"))) == 2

    # The raw driver with the manager's own login and role.
    audit_before = _audit_rows(db)
    raw = probe.raw(
        db,
        manager,
        PASSWORD,
        "SELECT DISTINCT pass_hash FROM users",
        "SELECT TRIM(sec$user_name) FROM sec$users",
        "SELECT * FROM user_tokens",
        "SELECT * FROM login_delays",
        "SELECT * FROM onec_bases",
        "DELETE FROM audit_log",
        f"UPDATE users SET role = 'admin' WHERE login = '{manager}'",
        "DELETE FROM user_rights",
        f"GRANT UPDATE ON users TO USER {manager.upper()}",
        f"GRANT RDB$ADMIN TO USER {manager.upper()}",
        f"ALTER USER {other.upper()} PASSWORD 'Taken-over-1'",
        f"ALTER USER {locked.upper()} ACTIVE",
    )
    assert raw.pop("SELECT DISTINCT pass_hash FROM users") == [[OWN_LOGIN]]  # no hash to guess
    assert raw.pop("SELECT TRIM(sec$user_name) FROM sec$users") == [[manager.upper()]]
    for statement, answer in raw.items():
        assert isinstance(answer, str) and answer.startswith("refused:"), statement
    assert _audit_rows(db) == audit_before

    # The TUI in a real terminal refuses the locked user, and lets the manager in.
    refused = probe.tui(locked, PASSWORD, until="Wrong login or password")
    assert "Wrong login or password" in refused
    welcomed = probe.tui(manager, PASSWORD, until="Today, ")
    assert "Wrong login or password" not in welcomed and "Today, " in welcomed

    # Nobody was taken over: the other manager's password and the lock still hold.
    assert "connect" in probe.raw(db, other, "Taken-over-1")
    assert "connect" in probe.raw(db, locked, PASSWORD)
    assert probe.raw(db, other, OTHER_PASSWORD, "SELECT 1 FROM rdb$database") == {
        "SELECT 1 FROM rdb$database": [["1"]]
    }
    rights = U.user_rights(server.system, manager)
    assert "see.all" not in rights and "users.admin" not in rights
