"""The head of a card: its parts (name, INN, manager, debt…) on as many lines as the
width needs, broken only between parts.

Rich breaks a line at any space, the non-breaking ones of «62 510,00 ₽» too, so a head
written as one text wrapped in the middle of an amount at 80 columns (issue 14). Here a
part that does not fit on the line starts the next one; only a part wider than the whole
head is wrapped inside."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

SEPARATOR = " · "


def lay_out(parts: Sequence[Text], width: int, first: Text | None = None) -> Text:
    """``parts`` joined by ``SEPARATOR``, a new line before a part that would not fit in
    ``width``; ``first``: a line of its own above them (cut with an ellipsis)."""
    lines: list[Text] = []
    if first is not None:
        first = first.copy()
        first.truncate(width, overflow="ellipsis")
        lines.append(first)
    line = Text()
    for part in parts:
        if line and line.cell_len + len(SEPARATOR) + part.cell_len > width:
            lines.append(line)
            line = Text()
        if line:
            line.append(SEPARATOR)
        line.append_text(part)
    lines.append(line)
    return Text("\n").join(lines)


class CardHead(Static):
    """``show(parts, first)`` lays the head out for the widget's width (again on resize)."""

    def __init__(self, text: str, **kwargs: object) -> None:
        super().__init__(text, **kwargs)  # type: ignore[arg-type]
        self.parts: list[Text] | None = None  # None: the plain text given (loading)
        self.first: Text | None = None

    def show(self, parts: Sequence[Text], first: Text | None = None) -> None:
        self.parts, self.first = list(parts), first
        self.update(self._text(self.content_region.width or self.app.size.width - 2))

    def say(self, text: str) -> None:
        """A plain line (e.g. «Loading the card…») instead of the parts."""
        self.parts, self.first = None, None
        self.update(text)

    def _text(self, width: int) -> Text:
        return lay_out(self.parts or [], max(width, 1), self.first)

    def on_resize(self) -> None:
        if self.parts is not None:
            self.update(self._text(self.content_region.width))
