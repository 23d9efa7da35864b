"""One knowledge-base article over the current screen, rendered from Markdown: opened
from "find anything" or from a claim that links it; Esc closes it. ``article_head`` is
the heading the module screen shows too."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from qstui.domain import formatting as fmt
from qstui.domain.knowledge import Article, join_tags
from qstui.i18n import N_, _
from qstui.services.knowledge.articles import get_article
from qstui.ui.localized import Localized
from qstui.ui.service_calls import ServiceCalls


def article_head(article: Article) -> Text:
    """Title; category · author · when updated; tags."""
    row = article.row
    head = Text(row.title, style="bold")
    facts = [row.category_name, row.author_name or "", fmt.moment(row.updated_at)]
    head.append("\n" + " · ".join(f for f in facts if f), style="dim")
    if row.tags:
        head.append("\n" + _("Tags: {tags}").format(tags=join_tags(row.tags)), style="dim")
    return head


class ArticleReader(Localized, ServiceCalls, ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", N_("Close"), id="kb_reader.close")]
    DEFAULT_CSS = """
    ArticleReader { align: center middle; }
    ArticleReader > Vertical { width: 100; max-width: 100%; height: 100%; max-height: 40;
        border: thick $primary; background: $surface; padding: 0 1; }
    ArticleReader #kb-reader-head { height: auto; }
    ArticleReader #kb-reader-scroll { height: 1fr; }
    """

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="kb-reader-head")
            with VerticalScroll(id="kb-reader-scroll"):
                yield Markdown("", id="kb-reader-body")

    def on_mount(self) -> None:
        self.query_one("#kb-reader-scroll").focus()
        self.call_service(get_article, self.article_id, then=self._show, on_error=self._failed)

    def _show(self, article: Article) -> None:
        self.query_one("#kb-reader-head", Static).update(article_head(article))
        self.query_one("#kb-reader-body", Markdown).update(article.body)
        self.qapp.shown("knowledge.article")

    def _failed(self, error: BaseException) -> None:
        self.dismiss(None)
        self.qapp.show_error(error)

    def action_close(self) -> None:
        self.dismiss(None)
