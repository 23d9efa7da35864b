"""A one-line label for long texts such as paths and URLs: it never wraps, and when the
text does not fit it is shortened in the middle, keeping its start and its end."""

from __future__ import annotations

from textual.widget import Widget

from qstui.domain.formatting import shorten_middle


class OneLine(Widget):
    DEFAULT_CSS = """
    OneLine {
        height: 1;
        width: 100%;
    }
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text

    def render(self) -> str:
        return shorten_middle(self.text, self.content_size.width)
