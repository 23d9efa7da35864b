"""Where the password of a 1C base's user is kept: never in the shared database.

Looked up, in this order, in
1. the environment variable ``QSTUI_ONEC_<NAME>_PASSWORD`` (``NAME`` upper-cased, ``-``
   as ``_``) — for a service account or cron;
2. the ``[onec_passwords]`` table of the admin's config file (``NAME = "…"``), which
   must be private (mode 600): whoever reads it holds the 1C user.

``qstui onec base add … --password-stdin`` writes (2) and ``base remove`` deletes it;
the file is rewritten atomically, created with mode 600, and refused while others may
read it. Managers run qstui under their own OS accounts, which cannot read the admin's
file; nothing here ever prints or logs a password.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qstui.config import ONEC_PASSWORDS, ConfigError, read_config_file
from qstui.i18n import _

SECTION = ONEC_PASSWORDS
ENV_SOURCE = "env"
FILE_SOURCE = "config"


def env_name(base: str) -> str:
    return "QSTUI_ONEC_" + re.sub(r"[^A-Z0-9]", "_", base.upper()) + "_PASSWORD"


@dataclass(frozen=True)
class Secrets:
    """One table of passwords in the admin's config file, each overridable by an
    environment variable: the 1C bases' by default; ``qstui.mail.secrets`` keeps the
    SMTP password the same way in another table."""

    config_file: Path
    env: Mapping[str, str]
    section: str = SECTION
    env_of: Callable[[str], str] = field(default=env_name)

    @classmethod
    def of(cls, config_file: Path, env: Mapping[str, str] | None = None) -> Secrets:
        return cls(config_file, os.environ if env is None else env)

    def source(self, base: str) -> str | None:
        """Where the password of ``base`` would be read from (never the password)."""
        if self.env.get(self.env_of(base)):
            return ENV_SOURCE
        if self._table().get(base):
            return FILE_SOURCE
        return None

    def password(self, base: str) -> str | None:
        value = self.env.get(self.env_of(base))
        if value:
            return value
        stored = self._table().get(base)
        if not stored:
            return None
        _refuse_exposed(self.config_file)
        return str(stored)

    def check_writable(self) -> None:
        """Refuse now, before anything else is written, a config file that others may
        read or write (``store`` would refuse it)."""
        if self.config_file.exists():
            _refuse_exposed(self.config_file, always=True)

    def store(self, base: str, password: str) -> None:
        if not password or "\n" in password or "\r" in password:
            raise ConfigError(_("The password must be one non-empty line"))
        table = dict(self._table())
        table[base] = password
        self._write(table)

    def forget(self, base: str) -> bool:
        table = dict(self._table())
        if base not in table:
            return False
        del table[base]
        self._write(table)
        return True

    def _table(self) -> Mapping[str, object]:
        table = read_config_file(self.config_file).get(self.section, {})
        if not isinstance(table, dict):
            raise ConfigError(
                _("{path}: [{section}] must be a table of base names and passwords").format(
                    path=self.config_file, section=self.section
                )
            )
        return table

    def _write(self, table: Mapping[str, object]) -> None:
        path = self.config_file
        text = ""
        if path.exists():
            _refuse_exposed(path, always=True)
            text = path.read_text(encoding="utf-8")
        text = _without_section(text, self.section).rstrip("\n")
        if table:
            lines = [f"[{self.section}]"] + [
                f"{_key(name)} = {json.dumps(str(value), ensure_ascii=False)}"
                for name, value in sorted(table.items())
            ]
            text = (text + "\n\n" if text else "") + "\n".join(lines)
        text = text + "\n" if text else ""
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:  # never leave a file that will not load
            raise ConfigError(f"cannot update {path}: {exc}") from None
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".tmp")
        temp.unlink(missing_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, path)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _without_section(text: str, section: str) -> str:
    out: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == f"[{section}]"
            if inside:
                continue
        if not inside:
            out.append(line)
    return "".join(out)


def _refuse_exposed(path: Path, always: bool = False) -> None:
    """Refuse a config file with passwords that others may read (``always``: or
    write, before we put a password in it)."""
    mode = path.stat().st_mode
    if mode & (0o066 if always else 0o044):
        raise ConfigError(
            _(
                "The config file {path} holds passwords and others may read it"
                " (mode {mode}): run chmod 600 {path}"
            ).format(path=path, mode=oct(mode & 0o777)[2:])
        )
