"""Writing a knowledge-base article: title, category, tags and the Markdown body in a
text area that takes the rest of the screen (fits 80×24). ctrl+s saves through the
given service call in a worker; a validation message shows under its field, someone
else's newer save the conflict dialog — the dialog stays open with what was typed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static, TextArea

from qstui.i18n import N_, _
from qstui.widgets.text_editor import TextEditorDialog
from qstui.widgets.text_field import TextField


class ArticleEditor(TextEditorDialog):
    """``submit(ctx, values) -> result``: values ``title``, ``category_id``, ``tags``,
    ``body``; the dialog closes with the result (None: cancelled). ``reload(ctx)`` runs in
    a worker when the user takes someone else's newer save as the base of theirs (what
    was typed stays in the fields)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="kb_editor.cancel"),
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="kb_editor.save"),
    ]
    GROUP = "kb"
    DEFAULT_CSS = """
    ArticleEditor { align: center middle; }
    ArticleEditor > Vertical { width: 100; max-width: 100%; height: 100%; max-height: 40;
        border: thick $primary; background: $surface; padding: 0 1; }
    ArticleEditor .form-title { text-style: bold; }
    ArticleEditor .kb-row { height: auto; }
    ArticleEditor .kb-row Label { width: 10; color: $text-muted; }
    ArticleEditor .kb-row TextField, ArticleEditor .kb-row Select { width: 1fr; }
    ArticleEditor #input-body { height: 1fr; }
    ArticleEditor .field-error, ArticleEditor #form-error { color: $error; height: auto; }
    ArticleEditor .form-hint { color: $text-muted; height: 1; }
    """

    def __init__(
        self,
        heading: str,
        categories: Sequence[tuple[str, int]],
        submit: Callable[[Any, dict[str, Any]], Any],
        title: str = "",
        category_id: int | None = None,
        tags: str = "",
        body: str = "",
        reload: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(submit, reload)
        self.heading = heading
        self.categories = list(categories)
        self.start = {"title": title, "category_id": category_id, "tags": tags, "body": body}

    def compose(self) -> ComposeResult:
        start = self.start
        with Vertical():
            yield Static(self.heading, classes="form-title")
            with Horizontal(classes="kb-row"):
                yield Label(_("Title"))
                yield TextField(start["title"], max_length=250, id="input-title", compact=True)
            with Horizontal(classes="kb-row"):
                yield Label(_("Category"))
                legal = [value for _label, value in self.categories]
                yield Select(
                    self.categories,
                    value=start["category_id"] if start["category_id"] in legal else Select.NULL,
                    prompt="—",
                    id="input-category",
                    compact=True,
                )
            with Horizontal(classes="kb-row"):
                yield Label(_("Tags"))
                yield TextField(
                    start["tags"],
                    placeholder=_("words, separated by commas"),
                    max_length=500,
                    id="input-tags",
                    compact=True,
                )
            yield TextArea(start["body"], language="markdown", id="input-body", compact=True)
            yield Static("", id="form-error")
            yield Static(
                _("Markdown: ## heading, **bold**, - list · ctrl+s — save · Esc — cancel"),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#input-title", TextField).focus()

    def values(self) -> dict[str, Any]:
        category = self.query_one("#input-category", Select).value
        return {
            "title": self.query_one("#input-title", TextField).value,
            "category_id": None if category is Select.NULL else category,
            "tags": self.query_one("#input-tags", TextField).value,
            "body": self.query_one("#input-body", TextArea).text,
        }

    def field_labels(self) -> dict[str, str]:
        return {"title": _("Title"), "category": _("Category"), "tags": _("Tags")}

    def typed(self) -> list[tuple[str, str]]:
        typed = self.values()
        return [
            (_("Title"), typed["title"]),
            (_("Tags"), typed["tags"] or ""),
            (_("Text"), typed["body"]),
        ]

    def reloaded_message(self) -> str:
        return _("The saved article is loaded: ctrl+s saves what you typed over it")
