"""Click's own messages — the usage line, "Error:", a wrong value, a missing argument,
an unknown command, the help's own option — speak the language qstui was started in."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from qstui import i18n
from qstui.cli.main import cli

pytestmark = pytest.mark.one_backend

CASES = {
    ("client", "show", "abc"): {
        "ru": ("Использование: ", "Ошибка: Неверное значение 'COMPANY_ID': abc — не число"),
        "en": ("Usage: ", "Error: Invalid value for 'COMPANY_ID': abc is not a number"),
    },
    ("client", "show"): {
        "ru": ("Справка: 'qstui client show --help'.", "Ошибка: Не указан аргумент 'COMPANY_ID'."),
        "en": ("Try 'qstui client show --help' for help.", "Error: Missing argument 'COMPANY_ID'."),
    },
    ("nonsense",): {
        "ru": ("Ошибка: Нет команды 'nonsense'.",),
        "en": ("Error: No such command 'nonsense'.",),
    },
    ("client", "list", "--sort", "zzz"): {
        "ru": ("'zzz' — не одно из: 'name'",),
        "en": ("'zzz' is not one of 'name'",),
    },
}


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("args", list(CASES), ids=" ".join)
def test_click_s_messages_are_in_the_chosen_language(args, lang):
    try:
        result = CliRunner().invoke(cli, ["--lang", lang, *args], prog_name="qstui")
    finally:
        i18n.set_language("en")
    assert result.exit_code == 2, result.output
    for fragment in CASES[args][lang]:
        assert fragment in result.stderr, result.stderr
    other = "en" if lang == "ru" else "ru"
    assert CASES[args][other][-1] not in result.stderr


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_help_s_own_option_is_in_the_chosen_language(lang):
    # a program of its own: click makes a command's help option once per process
    env = {**os.environ, "QSTUI_LANG": lang}
    shown = subprocess.run(
        [sys.executable, "-m", "qstui", "client", "show", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    wanted = "Показать эту справку и выйти." if lang == "ru" else "Show this message and exit."
    assert wanted in shown.stdout
