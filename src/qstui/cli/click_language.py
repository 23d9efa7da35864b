"""Click's own messages ("Usage:", "Error: …", "Invalid value for …") in the language
qstui speaks.

Click translates them with the standard library's ``gettext.gettext``, which follows
the process's GNU language variables, not the language qstui chose (``--lang``,
``QSTUI_LANG``, the config file). So the translation functions of click's modules are
pointed at ``qstui.i18n`` — they are looked up at call time in each module — and the
Russian strings live in qstui.po under click's own message ids. One catalogue, one
language switch; tests/cli/test_click_language.py shows both languages.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from qstui import i18n
from qstui.i18n import N_

_MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
)

# click's messages a user meets, so that the catalogue holds them (their ids are click's)
MESSAGES = (
    N_("Usage:"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Could not open file {filename!r}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Aborted!"),
    N_("Options"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
)


def install() -> None:
    """Make click translate through qstui's catalogue and language."""
    for module in _MODULES:
        if hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]
