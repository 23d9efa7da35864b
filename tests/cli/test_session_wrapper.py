"""``deploy/qstui-session``, the wrapper of the server-side sessions (issue 10): it
takes no arguments, needs a terminal, and starts the qstui program alone with a clean
environment, whatever the caller's environment holds."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
from pathlib import Path

WRAPPER = Path(__file__).resolve().parents[2] / "deploy" / "qstui-session"


def _settings() -> dict[str, str]:
    return dict(re.findall(r"^([A-Z_]+)=(\S+)", WRAPPER.read_text(), re.MULTILINE))


def installed(tmp_path: Path, program: str) -> Path:
    """A copy of the wrapper whose service account is the current user and whose qstui
    program is ``program``, installed in ``tmp_path``."""
    copy = tmp_path / "qstui-session"
    values = {
        "SERVICE_USER": getpass.getuser(),
        "QSTUI_BIN": program,
        "QSTUI_CONFIG_FILE": str(tmp_path / "config.toml"),
        "SERVICE_HOME": str(tmp_path),
        "SELF": str(copy),
    }
    text = WRAPPER.read_text()
    for name, value in values.items():
        text, found = re.subn(rf"^{name}=\S+", f"{name}={value}", text, flags=re.MULTILINE)
        assert found == 1, name
    copy.write_text(text)
    copy.chmod(0o755)
    return copy


def in_terminal(script: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run ``script`` with a pseudo-terminal as its stdin/stdout/stderr; its exit code
    and everything it wrote."""
    leader, follower = os.openpty()
    try:
        done = subprocess.Popen(
            [str(script)], stdin=follower, stdout=follower, stderr=follower, env=env
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        return done.wait(timeout=30), b"".join(chunks).decode()
    finally:
        os.close(leader)


def test_the_wrapper_refuses_arguments_with_a_message():
    for argv in (["--db", "sqlite:///x"], ["user", "list"], [""]):
        done = subprocess.run([str(WRAPPER), *argv], capture_output=True, text=True)
        assert done.returncode == 2
        assert done.stderr == "qstui-session: takes no arguments; it only opens qstui\n"
        assert done.stdout == ""


def test_the_wrapper_needs_a_terminal():
    done = subprocess.run([str(WRAPPER)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "needs a terminal" in done.stderr


def test_the_wrapper_forwards_nothing_and_runs_only_qstui():
    text = WRAPPER.read_text()
    for escape in ("$@", "$*", "eval", "SSH_ORIGINAL_COMMAND", "sh -c", "bash"):
        assert escape not in text.split("set -eu", 1)[1], escape
    assert _settings()["QSTUI_BIN"].endswith("/qstui")
    runs = [line for line in text.splitlines() if line.lstrip().startswith("exec ")]
    assert len(runs) == 2  # sudo to the service account, then qstui
    assert runs[0].strip() == 'exec sudo -n -u "$SERVICE_USER" "$SELF"'
    assert text.rstrip().endswith('QSTUI_CONFIG="$QSTUI_CONFIG_FILE" "$QSTUI_BIN"')


def test_the_program_gets_a_clean_environment_and_no_arguments(tmp_path):
    """``env`` in the place of qstui prints what qstui would get: with an argument it
    would run it instead; the caller's variables never reach it."""
    script = installed(tmp_path, "/usr/bin/env")
    caller = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm; rm -rf /",
        "QSTUI_DB": "sqlite:////tmp/elsewhere.db",
        "QSTUI_CONFIG": "/tmp/mine.toml",
        "PYTHONPATH": "/tmp/evil",
        "SSH_ORIGINAL_COMMAND": "qstui user grant me see.all",
    }
    code, output = in_terminal(script, caller)
    assert code == 0, output
    seen = dict(line.split("=", 1) for line in output.replace("\r", "").splitlines() if line)
    assert seen == {
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",  # the caller's was not a terminal name
        "LANG": "C.UTF-8",
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "QSTUI_CONFIG": str(tmp_path / "config.toml"),
    }
    caller["TERM"] = "screen-256color"
    code, output = in_terminal(script, caller)
    assert code == 0 and "TERM=screen-256color" in output


def test_a_caller_other_than_the_service_account_goes_through_sudo(tmp_path):
    script = installed(tmp_path, "/usr/bin/env")
    text = script.read_text().replace(f"SERVICE_USER={getpass.getuser()}", "SERVICE_USER=nobody-x")
    script.write_text(text)
    code, output = in_terminal(script, {"PATH": "/usr/bin:/bin", "TERM": "xterm"})
    assert code != 0
    assert "HOME=" not in output  # qstui (here env) never ran as the caller
    assert "sudo" in output  # sudo's refusal (no rule for this caller), or "sudo: not found"
