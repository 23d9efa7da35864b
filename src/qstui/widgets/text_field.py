"""The one text field of qstui: Textual's ``Input`` that keeps its text unselected when
it gets the focus.

Textual's ``Input`` selects its whole text on focus, so the first key typed replaces it:
a tab that puts the focus into «Название компании», a dialog that gives it back, and the
next ``]`` (or any letter) overwrote the company's name. A field the application gives
the focus to keeps its text; only a field the user moves into with Tab or shift+Tab has
its text selected, to be typed over as in every form (``tabbed_into``, called by the
app's focus actions), and so has a value a dialog merely proposes, such as the date of a
plan being moved (``offer``).
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Input


class TextField(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)


def tabbed_into(widget: Widget | None) -> None:
    """Tab or shift+Tab moved the focus to ``widget``: a text field's text is selected."""
    if isinstance(widget, TextField):
        widget.select_all()


def offer(widget: Widget) -> None:
    """Focus ``widget`` with its text selected: a proposed value (the date of a plan being
    moved) that the first key typed replaces."""
    widget.focus()
    if isinstance(widget, TextField):
        widget.select_all()
