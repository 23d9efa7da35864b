"""``qstui kb …``: the knowledge base (B1) from the command line — list the articles
(of a category), show one in Markdown, search in Russian by word prefixes (ranked as in
the module). Thin: the services of ``qstui.services.knowledge`` with the context of
``--as LOGIN`` (default: the admin context), a table or JSON."""

from __future__ import annotations

import click
from rich.table import Table

from qstui.cli.common import RecordId, as_option, context, emit_json, json_option, table_console
from qstui.domain import formatting as fmt
from qstui.domain.knowledge import ArticleRow, join_tags
from qstui.i18n import N_, _
from qstui.services.knowledge import articles as kb
from qstui.services.knowledge import categories as kb_categories
from qstui.services.knowledge.search import search_articles

ARTICLE_ID = RecordId(N_("Article"))
CATEGORY_ID = RecordId(N_("Category"))


@click.group("kb", context_settings={"help_option_names": ["-h", "--help"]})
def knowledge() -> None:
    """The knowledge base: list, show and search articles."""


def _print(rows: list[ArticleRow], extra: list[str] | None = None) -> None:
    if not rows:
        click.echo(_("No articles"))
        return
    table = Table(show_lines=False)
    table.add_column(_("No."), justify="right", no_wrap=True)
    table.add_column(_("Title"))
    table.add_column(_("Category"))
    table.add_column(_("Updated"), no_wrap=True)
    if extra is not None:
        table.add_column(_("Words"), justify="right", no_wrap=True)
    for n, row in enumerate(rows):
        cells = [str(row.id), row.title, row.category_name, fmt.moment(row.updated_at)]
        if extra is not None:
            cells.append(extra[n])
        table.add_row(*cells)
    table_console().print(table)


@knowledge.command("list")
@click.option("--category", "category_id", type=CATEGORY_ID, help="Only this category (id).")
@click.option("--categories", "categories_only", is_flag=True, help="List the categories.")
@json_option
@as_option
def list_articles(
    category_id: int | None, categories_only: bool, as_json: bool, as_login: str | None
) -> None:
    """List the articles by title (or, with --categories, the categories)."""
    ctx = context(as_login)
    if categories_only:
        categories = kb_categories.list_categories(ctx)
        if as_json:
            emit_json(categories)
            return
        for c in categories:
            click.echo(f"{c.id}\t{c.name}\t{c.articles}")
        return
    rows = kb.list_articles(ctx, category_id)
    if as_json:
        emit_json(rows)
        return
    _print(rows)


@knowledge.command("show")
@click.argument("article_id", type=ARTICLE_ID)
@json_option
@as_option
def show_article(article_id: int, as_json: bool, as_login: str | None) -> None:
    """Show an article: its heading, then its text in Markdown."""
    article = kb.get_article(context(as_login), article_id)
    if as_json:
        emit_json(article)
        return
    row = article.row
    click.echo(f"# {row.title}")
    facts = [row.category_name, row.author_name or "", fmt.moment(row.updated_at)]
    click.echo(" · ".join(f for f in facts if f))
    if row.tags:
        click.echo(_("Tags: {tags}").format(tags=join_tags(row.tags)))
    click.echo("")
    click.echo(article.body)


@knowledge.command("search")
@click.argument("text")
@json_option
@as_option
def search(text: str, as_json: bool, as_login: str | None) -> None:
    """Find articles by words (prefixes), best first."""
    hits = search_articles(context(as_login), text)
    if as_json:
        emit_json(hits)
        return
    _print([h.row for h in hits], [f"{h.matched}/{h.of}" for h in hits])
