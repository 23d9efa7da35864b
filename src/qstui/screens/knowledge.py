"""База знаний (F7, B1): categories on the left, their articles beside them; typing in
the search field lists the matching articles instead, best first (Russian word
prefixes, case- and ё-insensitive). Enter reads an article, rendered from Markdown;
Esc goes back. Editors (right ``knowledge.edit``) add (ctrl+n), edit (e) and delete
(Delete, after a question) articles and add categories (ctrl+k). Every service call runs
in a worker."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from qstui.domain import formatting as fmt
from qstui.domain.knowledge import Article, ArticleHit, ArticleRow, CategoryRow, join_tags
from qstui.i18n import N_, _
from qstui.screens.base import ModuleScreen
from qstui.screens.dialogs.kb_read import article_head
from qstui.services import rights as R
from qstui.services.knowledge import articles as kb
from qstui.services.knowledge import categories as kb_categories
from qstui.services.knowledge.search import search_articles
from qstui.widgets.form import FieldSpec, FormDialog
from qstui.widgets.text_field import TextField

ALL = "all"
EDITING = frozenset({"new", "edit", "delete", "new_category"})


class KnowledgeScreen(ModuleScreen):
    MODULE = "knowledge"
    AUTO_FOCUS = "#kb-articles"
    BINDINGS = [
        Binding("slash,ctrl+f", "find", N_("Search"), id="kb.find"),
        Binding("escape", "back", N_("Back"), id="kb.back"),
        Binding("ctrl+n", "new", N_("New article"), id="kb.new"),
        Binding("e", "edit", N_("Edit"), id="kb.edit"),
        Binding("delete", "delete", N_("Delete…"), id="kb.delete"),
        Binding("ctrl+k", "new_category", N_("New category"), show=False, id="kb.new_category"),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False, id="kb.refresh"),
        Binding("down", "to_results", N_("To the results"), show=False, id="kb.results"),
    ]
    DEFAULT_CSS = """
    KnowledgeScreen #kb-search { height: 1; margin: 0 0 1 0; }
    KnowledgeScreen #kb-switcher { height: 1fr; }
    KnowledgeScreen #kb-categories { width: 20; height: 1fr; }
    KnowledgeScreen #kb-articles { width: 1fr; height: 1fr; }
    KnowledgeScreen #kb-head { height: auto; padding: 0 1; }
    KnowledgeScreen #kb-scroll { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.categories: list[CategoryRow] = []
        self.rows: list[ArticleRow] = []  # what the article list shows, in its order
        self.article: Article | None = None  # the one being read
        self.searching = ""

    def compose_content(self) -> ComposeResult:
        yield TextField(placeholder=_("Search: type words (/)"), id="kb-search", compact=True)
        with ContentSwitcher(initial="kb-browse", id="kb-switcher"):
            with Horizontal(id="kb-browse"):
                yield OptionList(id="kb-categories")
                yield OptionList(id="kb-articles")
            with Vertical(id="kb-read"):
                yield Static("", id="kb-head")
                with VerticalScroll(id="kb-scroll"):
                    yield Markdown("", id="kb-body")

    # --- widgets --------------------------------------------------------------------------

    @property
    def category_list(self) -> OptionList:
        return self.query_one("#kb-categories", OptionList)

    @property
    def article_list(self) -> OptionList:
        return self.query_one("#kb-articles", OptionList)

    @property
    def reading(self) -> bool:
        return self.query_one(ContentSwitcher).current == "kb-read"

    @property
    def category_id(self) -> int | None:
        index = self.category_list.highlighted
        if index is None or index == 0 or index > len(self.categories):
            return None
        return self.categories[index - 1].id

    @property
    def highlighted_row(self) -> ArticleRow | None:
        if self.reading and self.article is not None:
            return self.article.row
        index = self.article_list.highlighted
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in EDITING or self.qapp.ctx.has(R.KNOWLEDGE_EDIT)

    # --- loading --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(
            kb_categories.list_categories, then=self._got_categories, group="kb-categories"
        )

    def _got_categories(self, categories: list[CategoryRow], keep: int | None = None) -> None:
        self.categories = categories
        lists = self.category_list
        before = lists.highlighted if keep is None else keep
        lists.clear_options()
        total = sum(c.articles for c in categories)
        lists.add_option(Option(self._category_label(_("All articles"), total), id=ALL))
        for c in categories:
            lists.add_option(Option(self._category_label(c.name, c.articles), id=str(c.id)))
        lists.highlighted = min(before or 0, len(categories))
        self._load_articles()

    @staticmethod
    def _category_label(name: str, count: int) -> Text:
        label = Text(name, no_wrap=True, overflow="ellipsis")
        label.append(f" {count}", style="dim")
        return label

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "kb-categories" and not self.searching:
            self._load_articles()

    def _load_articles(self) -> None:
        if self.searching:
            self.call_service(search_articles, self.searching, then=self._got_hits, group="kb-list")
        else:
            self.call_service(
                kb.list_articles, self.category_id, then=self._got_rows, group="kb-list"
            )

    def _got_rows(self, rows: list[ArticleRow]) -> None:
        self._fill([(r, self._row_label(r)) for r in rows])

    def _got_hits(self, hits: list[ArticleHit]) -> None:
        self._fill([(h.row, self._hit_label(h)) for h in hits])
        if not hits:
            self.notify(_("Nothing found"), timeout=2)

    def _fill(self, shown: list[tuple[ArticleRow, Text]]) -> None:
        lists = self.article_list
        keep = self.highlighted_row.id if self.highlighted_row and not self.reading else None
        lists.clear_options()
        self.rows = [row for row, _label in shown]
        for row, label in shown:
            lists.add_option(Option(label, id=str(row.id)))
        ids = [r.id for r in self.rows]
        if ids:
            lists.highlighted = ids.index(keep) if keep in ids else 0
        self.qapp.shown("knowledge")

    @staticmethod
    def _row_label(row: ArticleRow) -> Text:
        label = Text(row.title, no_wrap=True, overflow="ellipsis")
        label.append("\n" + fmt.moment(row.updated_at), style="dim")
        return label

    @staticmethod
    def _hit_label(hit: ArticleHit) -> Text:
        label = Text(hit.row.title, no_wrap=True, overflow="ellipsis")
        label.append(f"\n{hit.row.category_name} · {hit.matched}/{hit.of}", style="dim")
        return label

    # --- searching ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "kb-search":
            return
        event.stop()
        self.searching = event.value.strip()
        if self.reading:
            self._browse()
        self._load_articles()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "kb-search":
            event.stop()
            self.article_list.focus()

    def action_to_results(self) -> None:
        """Down in the search field goes to the articles found (as Enter does)."""
        if self.query_one("#kb-search", TextField).has_focus:
            self.article_list.focus()

    def action_find(self) -> None:
        if self.reading:
            self._browse()
        self.query_one("#kb-search", TextField).focus()

    # --- reading --------------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "kb-categories":
            self.article_list.focus()
        elif event.option.id is not None:
            self.open_article(int(event.option.id))

    def open_article(self, article_id: int) -> None:
        self.call_service(kb.get_article, article_id, then=self._show, group="kb-article")

    def _show(self, article: Article) -> None:
        self.article = article
        self.query_one("#kb-head", Static).update(article_head(article))
        self.query_one("#kb-body", Markdown).update(article.body)
        self.query_one(ContentSwitcher).current = "kb-read"
        scroll = self.query_one("#kb-scroll", VerticalScroll)
        scroll.scroll_home(animate=False)
        scroll.focus()
        self.qapp.shown("knowledge.article")

    def _browse(self) -> None:
        self.article = None
        self.query_one(ContentSwitcher).current = "kb-browse"
        self.article_list.focus()

    def action_back(self) -> None:
        if self.reading:
            self._browse()
        elif self.searching:
            self.query_one("#kb-search", TextField).value = ""

    # --- writing --------------------------------------------------------------------------

    def _choices(self) -> list[tuple[str, int]]:
        return [(c.name, c.id) for c in self.categories]

    def _saved(self, article_id: Any) -> None:
        if not isinstance(article_id, int):
            return
        self.action_refresh()
        self.open_article(article_id)

    def action_new(self) -> None:
        from qstui.screens.dialogs.kb_article import ArticleEditor

        def submit(ctx: Any, v: dict[str, Any]) -> int:
            return kb.create_article(ctx, v["category_id"], v["title"], v["body"], v["tags"])

        editor = ArticleEditor(
            _("New article"), self._choices(), submit, category_id=self.category_id
        )
        self.app.push_screen(editor, self._saved)

    def action_edit(self) -> None:
        row = self.highlighted_row
        if row is not None:
            self.call_service(kb.get_article, row.id, then=self._edit, group="kb-article")

    def _edit(self, article: Article) -> None:
        from qstui.screens.dialogs.kb_article import ArticleEditor

        row = article.row
        version = [row.version]  # the save applies over the version last loaded

        def submit(ctx: Any, v: dict[str, Any]) -> int:
            kb.update_article(ctx, row.id, version[0], **v)
            return row.id

        def reload(ctx: Any) -> None:  # in a worker: plain data only
            version[0] = kb.get_article(ctx, row.id).row.version

        editor = ArticleEditor(
            _("Article «{title}»").format(title=row.title),
            self._choices(),
            submit,
            title=row.title,
            category_id=row.category_id,
            tags=join_tags(row.tags),
            body=article.body,
            reload=reload,
        )
        self.app.push_screen(editor, self._saved)

    def action_delete(self) -> None:
        from qstui.screens.dialogs.message import ConfirmDialog

        row = self.highlighted_row
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(
                    kb.delete_article, row.id, row.version, then=self._deleted, group="kb-save"
                )

        question = _("Delete the article «{title}»?").format(title=row.title)
        self.app.push_screen(ConfirmDialog(question, no=_("Cancel")), answered)

    def _deleted(self, _result: Any) -> None:
        self._browse()
        self.action_refresh()

    def action_new_category(self) -> None:
        def submit(ctx: Any, v: dict[str, Any]) -> int:
            return kb_categories.create_category(ctx, v["name"])

        def done(category_id: Any) -> None:
            if category_id is not None:
                self.action_refresh()

        fields = [FieldSpec("name", _("Name"), max_length=kb_categories.NAME_MAX)]
        self.app.push_screen(FormDialog(_("New category"), fields, submit), done)
