"""ARCHITECTURE rule 1: screens and widgets never touch the database layer; the core
never imports Textual, so admin commands never pay for the TUI at start."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import qstui

SRC = Path(qstui.__file__).parent
UI = [
    SRC / "app.py",
    *sorted((SRC / "screens").rglob("*.py")),
    *sorted((SRC / "widgets").rglob("*.py")),
]
FORBIDDEN_IN_UI = ("sqlalchemy", "alembic", "firebird", "qstui.db")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_ui_modules_do_not_import_the_database_layer():
    problems = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in UI
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_UI)
    ]
    assert problems == []


def test_the_checker_sees_ui_files():
    assert any(p.name == "app.py" for p in UI) and len(UI) > 3


def _core_modules() -> list[str]:
    names = []
    for package in ("domain", "db", "services", "onec"):
        for path in sorted((SRC / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(SRC.parent).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.append(".".join(parts))
    return names


def test_core_and_cli_do_not_load_textual():
    modules = [*_core_modules(), "qstui.cli.main"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"textual loaded by the core: {out.stdout.strip()}"
    assert len(modules) > 20
