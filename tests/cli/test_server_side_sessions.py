"""The README's server-side sessions, end to end (issue 10): the sudoers rule and the
sshd ``Match Group`` block exactly as the README prints them, with real ``sudo``,
``visudo``, ``sshd`` and ``ssh``. A manager's OS account gets the service account's
program, without arguments and without the caller's environment, and nothing else.

Root only (it makes two OS users, a sudoers file and runs an sshd on a loopback port);
skipped where sudo or OpenSSH are not installed. ``qstui`` is replaced by a script that
prints who runs it, with which arguments and environment."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.cli.test_session_wrapper import WRAPPER

pytestmark = pytest.mark.one_backend

README = WRAPPER.parents[1] / "README.md"
SERVICE = "qstui-svc-t"
MANAGER = "qstui-mgr-t"
GROUP = "qstui-users"
FAKE_QSTUI = """#!/bin/sh
echo "RUNAS=$(id -un) ARGS=$#"
env | sort | sed 's/^/ENV:/'
"""


def _readme_sudoers_rule() -> str:
    found = re.search(r"echo '(%qstui-users [^']+)'", README.read_text())
    assert found, "the README's sudoers rule"
    return found.group(1)


def _readme_match_block() -> str:
    found = re.search(r"```\n(Match Group qstui-users\n.*?)```", README.read_text(), re.DOTALL)
    assert found, "the README's sshd Match block"
    return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Deployment:
    root: Path
    wrapper: Path


def _user(name: str, home: Path, *extra: str) -> None:
    subprocess.run(["userdel", name], capture_output=True)
    subprocess.run(
        ["useradd", "--home-dir", str(home), "--shell", "/bin/sh", *extra, name],
        check=True,
        capture_output=True,
    )
    subprocess.run(["usermod", "-p", "*", name], check=True)  # no password, not locked


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    if os.geteuid() != 0:
        pytest.skip("root only: it makes OS users and a sudoers rule")
    for tool in ("sudo", "visudo", "useradd", "setpriv"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    root = Path(tempfile.mkdtemp(prefix="qstui-deploy-"))
    root.chmod(0o755)
    (root / "bin").mkdir(mode=0o755)
    service_home = root / "service"
    service_home.mkdir(mode=0o700)
    manager_home = root / "manager"
    manager_home.mkdir(mode=0o755)
    subprocess.run(["groupadd", "-f", GROUP], check=True)
    _user(SERVICE, service_home, "--system")
    _user(MANAGER, manager_home, "-G", GROUP)
    service = pwd.getpwnam(SERVICE)
    os.chown(service_home, service.pw_uid, service.pw_gid)
    fake = root / "bin" / "qstui"
    fake.write_text(FAKE_QSTUI)
    fake.chmod(0o755)
    wrapper = root / "bin" / "qstui-session"
    text = WRAPPER.read_text()
    for name, value in {
        "SERVICE_USER": SERVICE,
        "QSTUI_BIN": str(fake),
        "QSTUI_CONFIG_FILE": str(service_home / "config.toml"),
        "SERVICE_HOME": str(service_home),
        "SELF": str(wrapper),
    }.items():
        text, found = re.subn(rf"^{name}=\S+", f"{name}={value}", text, flags=re.MULTILINE)
        assert found == 1, name
    wrapper.write_text(text)
    wrapper.chmod(0o755)
    rule = _readme_sudoers_rule().replace("(qstui)", f"({SERVICE})")
    rule = rule.replace("/usr/local/bin/qstui-session", str(wrapper))
    sudoers = Path("/etc/sudoers.d") / f"qstui-test-{os.getpid()}"
    sudoers.write_text(rule + "\n")
    sudoers.chmod(0o440)
    try:
        checked = subprocess.run(["visudo", "-cf", str(sudoers)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        yield Deployment(root, wrapper)
    finally:
        sudoers.unlink()
        for name in (MANAGER, SERVICE):
            subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(root)


def _as_manager(*argv: str, terminal: bool = True) -> tuple[int, str]:
    """Run ``argv`` as the manager's OS account (with a pseudo-terminal, or none);
    its exit code and what it wrote."""
    manager = pwd.getpwnam(MANAGER)
    command = [
        "setpriv",
        f"--reuid={manager.pw_uid}",
        f"--regid={manager.pw_gid}",
        "--init-groups",
        "--",
        *argv,
    ]
    env = {"PATH": "/usr/bin:/bin", "HOME": manager.pw_dir, "TERM": "xterm", "QSTUI_DB": "x"}
    if not terminal:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen(
            command, stdin=follower, stdout=follower, stderr=follower, env=env
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=60), b"".join(chunks).decode().replace("\r", "")
    finally:
        os.close(leader)


def test_sudo_lets_a_manager_run_the_wrapper_and_nothing_else(deployment):
    code, output = _as_manager(str(deployment.wrapper))
    assert code == 0, output
    assert f"RUNAS={SERVICE} ARGS=0" in output
    assert "ENV:QSTUI_DB=" not in output  # the caller's environment stayed behind
    refused = {
        "another program": ["sudo", "-n", "-u", SERVICE, "/usr/bin/id"],
        "the wrapper with an argument": ["sudo", "-n", "-u", SERVICE, str(deployment.wrapper), "x"],
        "a shell": ["sudo", "-n", "-u", SERVICE, "/bin/sh", "-c", "id"],
        "root": ["sudo", "-n", str(deployment.wrapper)],
    }
    for what, argv in refused.items():
        code, output = _as_manager(*argv)
        assert code != 0, what
        assert "RUNAS=" not in output and "uid=" not in output, what


@pytest.fixture
def sshd(deployment) -> Iterator[tuple[int, Path]]:
    for tool in ("sshd", "ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (OpenSSH) is not installed")
    folder = deployment.root / "ssh"
    folder.mkdir(mode=0o755)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "host")], check=True
    )
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "client")], check=True
    )
    keys = folder / f"{MANAGER}.keys"
    shutil.copy(folder / "client.pub", keys)
    keys.chmod(0o644)
    port = _free_port()
    block = _readme_match_block().replace("/usr/local/bin/qstui-session", str(deployment.wrapper))
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\n"
        f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile {folder}/%u.keys\n"
        "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        f"AllowUsers {MANAGER}\n" + block
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    checked = subprocess.run(["/usr/sbin/sshd", "-t", "-f", str(config)], capture_output=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "sshd did not start"
            time.sleep(0.1)
    try:
        yield port, folder / "client"
    finally:
        server.terminate()
        server.wait(10)


def test_ssh_gives_a_manager_the_wrapper_whatever_is_asked(sshd):
    port, key = sshd
    shown = subprocess.run(
        _ssh_argv(port, key, "-tt"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f"RUNAS={SERVICE} ARGS=0" in shown.stdout
    # a command of the manager's own: sshd runs the wrapper instead, which ignores it
    asked = subprocess.run(
        [*_ssh_argv(port, key, "-tt"), "id; cat /etc/shadow"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert f"RUNAS={SERVICE} ARGS=0" in asked.stdout and "uid=" not in asked.stdout
    assert "ENV:SSH_ORIGINAL_COMMAND" not in asked.stdout
    # without a terminal (scp, sftp, a script) nothing runs
    plain = subprocess.run(
        [*_ssh_argv(port, key, "-T"), "id"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert plain.returncode != 0 and "needs a terminal" in plain.stderr
    assert "RUNAS=" not in plain.stdout and "uid=" not in plain.stdout


def _ssh_argv(port: int, key: Path, *options: str) -> list[str]:
    return [
        "ssh",
        "-i",
        str(key),
        "-p",
        str(port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
        *options,
        f"{MANAGER}@127.0.0.1",
    ]
