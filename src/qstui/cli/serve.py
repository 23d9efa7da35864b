"""``qstui serve``: the same application in a browser tab (X3), through textual-serve.

Each browser session starts its own ``qstui`` process; the database URL reaches it
through the environment (``QSTUI_DB``), never on a command line where ``ps`` would show
its password.
"""

from __future__ import annotations

import os
import shlex
import sys

import click

from qstui.cli.state import state
from qstui.i18n import _


@click.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, when qstui is behind a proxy (default: http://HOST:PORT).",
)
def serve(host: str, port: int, public_url: str | None) -> None:
    """Serve the application to web browsers.

    \b
    Examples:
      qstui serve                       # http://127.0.0.1:8000
      qstui --db firebird://crm:secret@srv/srv/crm.fdb serve --host 0.0.0.0 --port 8080
    """
    from textual_serve.server import Server

    settings = state().settings
    os.environ["QSTUI_DB"] = settings.db_url
    os.environ["QSTUI_LANG"] = settings.lang
    command = shlex.join([sys.executable, "-m", "qstui"])
    login = state().login
    if login:
        command += " --user " + shlex.quote(login)
    click.echo(
        _("Serving qstui on http://{host}:{port} (Ctrl+C to stop)").format(host=host, port=port)
    )
    Server(command, host=host, port=port, title="qstui", public_url=public_url).serve()
