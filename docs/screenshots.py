"""Take the README's screenshots: the main screens on a fresh small demo database.

    python docs/screenshots.py [--lang ru|en] [--out docs/screenshots]

Drives the real app with Textual's pilot (as the UI tests do), logged in as ``ivanov``,
and saves one SVG per screen with ``App.save_screenshot``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from qstui import i18n
from qstui.app import QstuiApp
from qstui.db.create import create_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import upgrade
from qstui.db.urls import normalize_url
from qstui.demo import generate

SIZE = (120, 34)
Step = Callable[[Pilot], Awaitable[None]]


async def settle(pilot: Pilot) -> None:
    app = pilot.app
    for _ in range(30):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if not any(w.is_running for w in app.workers):
            break
    await pilot.pause(0.2)


async def shoot(db: Database, out: Path) -> list[Path]:
    app = QstuiApp(db)
    saved: list[Path] = []

    async def save(pilot: Pilot, name: str) -> None:
        await settle(pilot)
        saved.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(out))))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"ivanov")
        await save(pilot, "login")
        await pilot.press("enter", *"demo", "enter")
        await save(pilot, "today")
        await pilot.press("f2")
        await save(pilot, "clients")
        await pilot.press("enter")
        await save(pilot, "client_card")
        await pilot.press("escape", "f4")
        await save(pilot, "deals")
        await pilot.press("enter")
        await save(pilot, "deal_card")
        await pilot.press("escape", "f3")
        await save(pilot, "calendar")
        await pilot.press("ctrl+p", *"ром")
        await pilot.pause(0.5)
        await save(pilot, "palette")
        await pilot.press("escape", "f8")
        await save(pilot, "funnel")
        await pilot.press("f6", "down", "enter")  # sales by manager by month
        await settle(pilot)
        await pilot.press("v")
        await save(pilot, "report_chart")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="ru", choices=["ru", "en"])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "screenshots")
    args = parser.parse_args()
    i18n.set_language(args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = normalize_url(f"sqlite:///{Path(tmp) / 'demo.sqlite3'}")
        create_database(url)
        db = Database(url)
        upgrade(db)
        load_defaults(db)
        generate(db, size="small", seed=1)
        for path in asyncio.run(shoot(db, args.out)):
            print(path)
        db.dispose()


if __name__ == "__main__":
    main()
