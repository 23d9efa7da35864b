"""Settings, read once at start.

Precedence (ARCHITECTURE rule 10): CLI option > environment (``QSTUI_DB``,
``QSTUI_LANG``, ``QSTUI_TZ``, ``QSTUI_LOCK_TIMEOUT``, ``QSTUI_SERVER_TIMEOUT``) > the
config file (``config.toml`` in the platformdirs config dir, or ``QSTUI_CONFIG``) > the
default (the embedded SQLite file in the user data dir, Russian, the computer's time
zone, a 10-second lock wait, 30 seconds for a silent server).
The log file (``qstui.logs``) is in the platformdirs user log dir, or ``QSTUI_LOG_DIR``;
the personal tokens of ``qstui login`` in the platformdirs user state dir, or
``QSTUI_STATE_DIR``.

The config file must be private (mode 600) when its ``db`` URL holds a password, or
when its ``[onec_passwords]`` table holds passwords of 1C bases (``qstui.onec.secrets``):
``check_private`` refuses to start otherwise.

Config file example::

    db = "firebird://crm:secret@192.168.1.10/srv/crm/crm.fdb"
    lang = "ru"
    tz = "Europe/Moscow"      # or "+03:00"; local time of plans, "today"
    lock_timeout = 10         # seconds a write waits for a row another user locks
    server_timeout = 30       # seconds before a Firebird server that stopped answering
                              # is given up ("the database server does not answer")
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir, user_log_dir, user_state_dir

from qstui.db.engine import DEFAULT_LOCK_TIMEOUT, DEFAULT_SERVER_TIMEOUT
from qstui.db.urls import url_secrets
from qstui.i18n import _

APP_NAME = "qstui"
ONEC_PASSWORDS = "onec_passwords"  # the config file's table of 1C passwords (onec.secrets)
SMTP_PASSWORDS = "smtp_passwords"  # the table of the SMTP password (mail.secrets)


@dataclass(frozen=True)
class Settings:
    db_url: str
    lang: str
    config_file: Path
    data_dir: Path
    db_is_default: bool
    log_dir: Path
    state_dir: Path
    tz: str | None = None  # an IANA name or an offset; None: the computer's zone
    lock_timeout: int = DEFAULT_LOCK_TIMEOUT  # seconds
    server_timeout: int = DEFAULT_SERVER_TIMEOUT  # seconds (db.server_watch)
    db_source: str = ""  # where db_url came from: "--db", "QSTUI_DB", the config file, ""
    # the language was given by --lang or QSTUI_LANG: it overrides the user's own choice
    # (the config file's and the default do not)
    lang_fixed: bool = False


def config_file_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("QSTUI_CONFIG"):
        return Path(env["QSTUI_CONFIG"]).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("QSTUI_DATA_DIR"):
        return Path(env["QSTUI_DATA_DIR"]).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False))


def log_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("QSTUI_LOG_DIR"):
        return Path(env["QSTUI_LOG_DIR"]).expanduser()
    return Path(user_log_dir(APP_NAME, appauthor=False))


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("QSTUI_STATE_DIR"):
        return Path(env["QSTUI_STATE_DIR"]).expanduser()
    return Path(user_state_dir(APP_NAME, appauthor=False))


def default_db_url(env: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{data_dir(env) / 'qstui.sqlite3'}"


class ConfigError(ValueError):
    pass


def read_config_file(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def load_settings(
    db: str | None = None, lang: str | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    env = os.environ if env is None else env
    path = config_file_path(env)
    file_values = read_config_file(path)
    db_url, db_source = _db_url(db, env, file_values, path)
    return Settings(
        db_url=db_url or default_db_url(env),
        lang=lang or env.get("QSTUI_LANG") or _str(file_values.get("lang")) or "ru",
        lang_fixed=bool(lang or env.get("QSTUI_LANG")),
        config_file=path,
        data_dir=data_dir(env),
        db_is_default=not db_url,
        log_dir=log_dir(env),
        state_dir=state_dir(env),
        tz=env.get("QSTUI_TZ") or _str(file_values.get("tz")),
        lock_timeout=_seconds(
            ("QSTUI_LOCK_TIMEOUT", env.get("QSTUI_LOCK_TIMEOUT")),
            ("lock_timeout", file_values.get("lock_timeout")),
            DEFAULT_LOCK_TIMEOUT,
        ),
        server_timeout=_seconds(
            ("QSTUI_SERVER_TIMEOUT", env.get("QSTUI_SERVER_TIMEOUT")),
            ("server_timeout", file_values.get("server_timeout")),
            DEFAULT_SERVER_TIMEOUT,
            minimum=1,
        ),
        db_source=db_source,
    )


def check_private(settings: Settings) -> None:
    """Refuse a config file that holds the database's password and that the group or
    others may read: whoever reads it holds the database (chmod 600 it)."""
    path = settings.config_file
    if settings.db_source != str(path) or not url_secrets(settings.db_url):
        _check_onec_passwords(path)
        return
    mode = path.stat().st_mode
    if mode & 0o044:
        raise ConfigError(
            _(
                "The config file {path} holds the database password and others may read it"
                " (mode {mode}): run chmod 600 {path}"
            ).format(path=path, mode=oct(mode & 0o777)[2:])
        )


def _check_onec_passwords(path: Path) -> None:
    """The same for the passwords of 1C bases and of the SMTP server (``qstui.onec.secrets``,
    ``qstui.mail.secrets``)."""
    if not path.is_file():
        return
    values = read_config_file(path)
    tables = [values.get(ONEC_PASSWORDS), values.get(SMTP_PASSWORDS)]
    held = any(isinstance(table, dict) and table for table in tables)
    if held and path.stat().st_mode & 0o044:
        raise ConfigError(
            _(
                "The config file {path} holds passwords and others may read it"
                " (mode {mode}): run chmod 600 {path}"
            ).format(path=path, mode=oct(path.stat().st_mode & 0o777)[2:])
        )


def _db_url(
    db: str | None, env: Mapping[str, str], file_values: Mapping[str, object], path: Path
) -> tuple[str | None, str]:
    """The database URL by precedence, and where it came from (an empty ``QSTUI_DB``
    counts as unset, as an empty environment variable usually does)."""
    if db:
        return db, "--db"
    if env.get("QSTUI_DB"):
        return env["QSTUI_DB"], "QSTUI_DB"
    from_file = _str(file_values.get("db"))
    return from_file, str(path) if from_file else ""


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _seconds(
    env: tuple[str, str | None], file: tuple[str, object], default: int, minimum: int = 0
) -> int:
    """Whole seconds: the environment variable's, else the config file key's, else the
    default; each given as (name, value)."""
    if env[1] and env[1].strip():
        where, value = env[0], env[1].strip()
    elif file[1] is None:
        return default
    else:
        where, value = file
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= minimum:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    if minimum:
        raise ConfigError(
            f"{where} must be a whole number of seconds, at least {minimum}, not {value!r}"
        )
    raise ConfigError(f"{where} must be a whole number of seconds, not {value!r}")
