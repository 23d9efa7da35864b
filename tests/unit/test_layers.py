"""ARCHITECTURE rule 1, the layers: screens, widgets and the interface base never touch
the database layer; widgets never import screens, and the interface base (``qstui.ui``)
neither; the database layer never imports services; the domain imports none of the layers
above it; services never import the interface or the CLI, and a service module whose
name starts with ``_`` (helpers that skip the rights checks) is private to its area
(``qstui.services.clients._index`` is imported only within ``qstui.services.clients``).
The core never imports Textual, so admin commands never pay for the TUI at start.

The import checker reads every module's imports (also those inside functions and under
``TYPE_CHECKING``, relative ones resolved); it is itself tested on a made-up tree that
breaks each rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import qstui

SRC = Path(qstui.__file__).parent

_NO_DATABASE = ("sqlalchemy", "alembic", "firebird", "qstui.db")
_INTERFACE = ("textual", "qstui.app", "qstui.screens", "qstui.widgets", "qstui.ui")

# a module of the package on the left may import nothing that starts with those on the right
RULES: dict[str, tuple[str, ...]] = {
    "qstui.app": _NO_DATABASE,
    "qstui.screens": _NO_DATABASE,
    "qstui.widgets": (*_NO_DATABASE, "qstui.screens", "qstui.app"),
    "qstui.ui": (*_NO_DATABASE, "qstui.screens", "qstui.widgets"),
    "qstui.db": (*_INTERFACE, "qstui.services", "qstui.cli", "qstui.demo"),
    "qstui.domain": (*_INTERFACE, *_NO_DATABASE, "qstui.services", "qstui.cli", "qstui.demo"),
    "qstui.services": (*_INTERFACE, "qstui.cli"),
}


def module_name(path: Path, root: Path) -> str:
    """``root/qstui/widgets/form.py`` → ``qstui.widgets.form`` (a package: its name)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> set[str]:
    """Every module ``path`` imports; ``from a import b`` counts as ``a`` and ``a.b`` (b may
    be a module), relative imports resolved against ``module``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _private_area(name: str) -> str | None:
    """The area a private service module belongs to: ``qstui.services.clients._index``
    → ``qstui.services.clients``; None for a public name."""
    parts = name.split(".")
    for i, part in enumerate(parts[3:], start=3):
        if (
            part.startswith("_")
            and not part.startswith("__")
            and parts[:2] == ["qstui", "services"]
        ):
            return ".".join(parts[:i])
    return None


def violations(root: Path, rules: dict[str, tuple[str, ...]] = RULES) -> list[str]:
    """``"<module> imports <name>"`` for every import the rules forbid, in the modules of
    the ``qstui`` package under ``root``."""
    problems = []
    for path in sorted((root / "qstui").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = module_name(path, root)
        forbidden = [f for layer, fs in rules.items() if _matches(module, layer) for f in fs]
        for name in sorted(imports_of(path, module)):
            area = _private_area(name)
            if any(_matches(name, f) for f in forbidden) or (
                area is not None and not _matches(module, area)
            ):
                problems.append(f"{module} imports {name}")
    return problems


def test_every_layer_keeps_to_its_imports():
    assert violations(SRC.parent) == []


def test_the_rules_cover_every_layer_and_the_checker_sees_them():
    modules = {module_name(p, SRC.parent) for p in SRC.rglob("*.py")}
    for layer in RULES:
        assert any(_matches(m, layer) for m in modules), f"no module in {layer}"
    assert "qstui.ui.localized" in modules and "qstui.widgets.form" in modules


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_reports_each_kind_of_violation(tmp_path: Path):
    """A made-up tree breaking every rule (absolute, relative, lazy and type-only
    imports): the checker names each of them, and nothing in the clean modules."""
    for package in ("", "/widgets", "/screens", "/ui", "/db", "/domain", "/services", "/cli"):
        _write(tmp_path, f"qstui{package}/__init__.py", "")
    _write(tmp_path, "qstui/screens/clients.py", "from qstui.widgets.form import FormDialog\n")
    _write(tmp_path, "qstui/widgets/form.py", "from qstui.ui.localized import Localized\n")
    _write(tmp_path, "qstui/widgets/panel.py", "from qstui.screens.clients import ClientsScreen\n")
    _write(tmp_path, "qstui/widgets/table.py", "from ..screens import base\n")
    _write(
        tmp_path,
        "qstui/ui/localized.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from qstui.widgets import form\n",
    )
    _write(tmp_path, "qstui/db/setup.py", "def init():\n    from qstui.services import rights\n")
    _write(tmp_path, "qstui/db/defaults.py", "from qstui.domain import rights\n")
    _write(tmp_path, "qstui/domain/rights.py", "import qstui.db.engine\n")
    _write(tmp_path, "qstui/services/clients.py", "from qstui import screens\nimport qstui.cli\n")
    _write(tmp_path, "qstui/services/deals/__init__.py", "")
    _write(tmp_path, "qstui/services/deals/_shared.py", "")
    _write(tmp_path, "qstui/services/deals/view.py", "from qstui.services.deals._shared import x\n")
    _write(tmp_path, "qstui/services/today.py", "from qstui.services.deals._shared import x\n")

    assert violations(tmp_path) == [
        "qstui.db.setup imports qstui.services",
        "qstui.db.setup imports qstui.services.rights",
        "qstui.domain.rights imports qstui.db.engine",
        "qstui.services.clients imports qstui.cli",
        "qstui.services.clients imports qstui.screens",
        "qstui.services.today imports qstui.services.deals._shared",
        "qstui.services.today imports qstui.services.deals._shared.x",
        "qstui.ui.localized imports qstui.widgets",
        "qstui.ui.localized imports qstui.widgets.form",
        "qstui.widgets.panel imports qstui.screens.clients",
        "qstui.widgets.panel imports qstui.screens.clients.ClientsScreen",
        "qstui.widgets.table imports qstui.screens",
        "qstui.widgets.table imports qstui.screens.base",
    ]


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("qstui.widgets.form", "from . import cells", {"qstui.widgets", "qstui.widgets.cells"}),
        ("qstui.widgets", "from .form import X", {"qstui.widgets.form", "qstui.widgets.form.X"}),
        ("qstui.a.b.c", "from ...d import e", {"qstui.d", "qstui.d.e"}),
    ],
)
def test_relative_imports_are_resolved(tmp_path: Path, module: str, source: str, expected):
    path = tmp_path / ("__init__.py" if module == "qstui.widgets" else "m.py")
    path.write_text(source, encoding="utf-8")
    assert imports_of(path, module) == expected


def _core_modules() -> list[str]:
    names = []
    for package in ("domain", "db", "services", "onec"):
        for path in sorted((SRC / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            names.append(module_name(path, SRC.parent))
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
