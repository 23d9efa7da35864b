"""People's names as the lists and cards show them, written one way everywhere.

- ``person_name("Иванов", "Иван", "Петрович")`` → «Иванов Иван Петрович»: the parts a
  contact person or a user has, in Russian order, the missing ones left out.
- ``short_name("Иванов Иван Петрович")`` → «Иванов И. П.»: a full name for a narrow
  column (the last name and the initials of the other words).
"""

from __future__ import annotations

__all__ = ["person_name", "short_name"]


def person_name(
    last: str | None, first: str | None = None, middle: str | None = None
) -> str | None:
    """The full name from its parts (empty ones skipped); None when there is none."""
    name = " ".join(part for part in (last, first, middle) if part)
    return name or None


def short_name(full_name: str | None) -> str:
    """«Кузнецова Ольга Викторовна» → «Кузнецова О. В.»; one word stays as it is, no
    name gives ""."""
    if not full_name:
        return ""
    last, *rest = full_name.split() or [""]
    return " ".join([last, *(f"{part[0]}." for part in rest)])
