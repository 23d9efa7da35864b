"""Where the SMTP password is kept: like the 1C passwords (``qstui.onec.secrets``), never
in the shared database — the environment variable ``QSTUI_SMTP_PASSWORD`` or the
``[smtp_passwords]`` table of the admin's private config file (mode 600)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from qstui.config import SMTP_PASSWORDS
from qstui.onec.secrets import Secrets

KEY = "smtp"  # the one entry of the table: one SMTP server per installation
ENV = "QSTUI_SMTP_PASSWORD"


def _env_name(_key: str) -> str:
    return ENV


def mail_secrets(config_file: Path, env: Mapping[str, str] | None = None) -> Secrets:
    return Secrets(config_file, os.environ if env is None else env, SMTP_PASSWORDS, _env_name)
