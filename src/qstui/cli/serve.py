"""``qstui serve``: the same application in a browser tab (X3), behind a login page.

The server (``qstui.serve.server``) checks the login itself and starts a user's
``qstui`` process only once that user has logged in; the database URL reaches the
process through its environment (``QSTUI_DB``) and the credentials through a pipe,
never on a command line where ``ps`` would show them.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import click

from qstui.cli.state import state
from qstui.files import SERVED_ENV
from qstui.i18n import _

WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


@click.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers open (e.g. https://crm.example.com behind a reverse proxy); "
    "required with a --host that listens on every address. Default: http(s)://HOST:PORT.",
)
@click.option(
    "--allow-origin",
    "allow_origins",
    metavar="URL",
    multiple=True,
    help="Another address whose pages may open sessions (repeatable); "
    "pages of any other site are refused.",
)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TLS certificate chain (PEM): serve https and wss.",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The certificate's private key (PEM), unless --certfile holds it.",
)
@click.option(
    "--max-sessions",
    default=20,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Sessions at once (each is a qstui process of about 100 MB); more logins are "
    "refused until one ends.",
)
@click.option(
    "--idle-minutes",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="A session nobody typed in for this long is closed and its process ended.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    metavar="ADDRESS",
    multiple=True,
    help="The IP address of a reverse proxy in front of the server (repeatable): for its "
    "requests the browser's address is taken from the last X-Forwarded-For entry.",
)
def serve(
    host: str,
    port: int,
    public_url: str | None,
    allow_origins: tuple[str, ...],
    certfile: Path | None,
    keyfile: Path | None,
    max_sessions: int,
    idle_minutes: float,
    trusted_proxies: tuple[str, ...],
) -> None:
    """Serve the application to web browsers.

    Each user logs in on the server's own page; only then is a qstui process started
    for them. Give the database in the config file or in $QSTUI_DB of the account that
    runs the server — never on the command line, where `ps` shows it to every user.

    \b
    Examples:
      qstui serve                                  # http://127.0.0.1:8000
      qstui serve --host 0.0.0.0 --port 8443 --public-url https://crm.example.com:8443 \\
          --certfile /etc/qstui/cert.pem --keyfile /etc/qstui/key.pem
      qstui serve --public-url https://crm.example.com   # behind an https reverse proxy
    """
    from qstui.cli.tui import ready_database
    from qstui.serve.origins import Origins, base_url, origin_of
    from qstui.serve.server import QstuiServer, with_tls

    if keyfile is not None and certfile is None:
        raise click.UsageError(_("--keyfile needs --certfile"))
    scheme = "https" if certfile is not None else "http"
    if public_url is None:
        if host.strip() in WILDCARDS:
            raise click.UsageError(
                _(
                    "--host {host} listens on every address: give --public-url, "
                    "the address browsers open (e.g. {example})"
                ).format(host=host, example=f"{scheme}://crm.example.com:{port}")
            )
        public_url = base_url(scheme, host, port)
    for url in (public_url, *allow_origins):
        try:
            origin_of(url)
        except ValueError:
            raise click.UsageError(
                _("Not a web address (http:// or https://): {url}").format(url=url)
            ) from None
    ssl_context = None
    if certfile is not None:
        try:
            ssl_context = with_tls(certfile, keyfile)
        except (ssl.SSLError, OSError) as exc:
            raise click.ClickException(
                _("Cannot use the certificate {file}: {reason}").format(
                    file=certfile, reason=getattr(exc, "reason", None) or exc.strerror or exc
                )
            ) from None
    proxies = set()
    for address in trusted_proxies:
        try:
            proxies.add(str(ipaddress.ip_address(address.strip())))
        except ValueError:
            raise click.UsageError(
                _("Not an IP address for --trusted-proxy: {address}").format(address=address)
            ) from None
    settings = state().settings
    db = ready_database(state())
    server = QstuiServer(
        db=db,
        host=host,
        port=port,
        public_url=public_url,
        origins=Origins([public_url, *allow_origins]),
        max_sessions=max_sessions,
        idle_seconds=idle_minutes * 60,
        # a language given to ``serve`` itself is every session's; otherwise each user's own
        child_environment={
            "QSTUI_DB": settings.db_url,
            SERVED_ENV: "1",  # files are attached only from the documents folder
            **({"QSTUI_LANG": settings.lang} if settings.lang_fixed else {}),
        },
        ssl_context=ssl_context,
        trusted_proxies=frozenset(proxies),
    )
    click.echo(_("Serving qstui on {url} (Ctrl+C to stop)").format(url=public_url))
    if certfile is None and not public_url.startswith("https") and not _loopback(host):
        click.echo(
            _(
                "Warning: without --certfile, passwords cross the network unencrypted: "
                "use TLS here or in a reverse proxy"
            ),
            err=True,
        )
    server.serve()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"
