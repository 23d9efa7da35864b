"""«1C: sync counterparties» from the command palette: the comparison table against the
simulator on loopback, a choice for a whole kind of rows, the run in a worker with its
progress bar and summary. Both backends (the ``demo_db`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.ui.conftest import LARGE, SMALL, log_in, make_app, screen_text, settle
from tests.ui.test_palette import choose, open_palette, shown_texts
from textual.widgets import DataTable, ProgressBar

from qstui.db.engine import Database
from qstui.db.models import Company, OnecLink, Product
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedSummary, seed
from qstui.onec.simulator.server import DROP
from qstui.screens import onec_sync
from qstui.screens.dialogs.message import ErrorDialog
from qstui.screens.onec_journal import OnecJournalScreen, OnecRunLogScreen
from qstui.screens.onec_sync import OnecSyncScreen
from qstui.services.context import Context
from qstui.services.onec import bases
from qstui.services.onec.journal_read import list_runs
from qstui.services.onec.simulator_seed import seed_records
from qstui.widgets.cells import ALERT

PASSWORD = "Пароль-1С-tui"


@pytest.fixture
def sim(demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """The simulator on loopback, registered as base «tui» (forgotten afterwards: the
    demo database is the module's)."""
    system = Context.system(demo_db)
    monkeypatch.setenv("QSTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("QSTUI_ONEC_TUI_PASSWORD", PASSWORD)
    with Simulator(Store("bp30"), user="Администратор", password=PASSWORD) as simulator:
        bases.add_base(system, "tui", simulator.url, "bp30", "Администратор")
        yield simulator
        bases.remove_base(system, "tui")


@pytest.fixture
def simulated(demo_db: Database, sim: Simulator) -> SeedSummary:
    """1C seeded from the demo database as it is now."""
    return seed(sim.store, *seed_records(Context.system(demo_db)))


def count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.one_backend
async def test_sync_counterparties_from_the_palette(
    demo_db: Database, simulated: SeedSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onec_sync, "SHOWN", 50)  # of each kind: 50 of 180, 120 and 60
    proposed = len(simulated.same + simulated.other_name + simulated.other_kpp)
    only_here, only_there = len(simulated.only_here), len(simulated.only_there)
    companies = count(demo_db, Company)
    app = make_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await log_in(pilot, app, "admin")
        await open_palette(pilot, app, "sync counterparties")
        assert "1C: sync counterparties" in shown_texts(app)
        await choose(pilot, app, "1C: sync counterparties")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, OnecSyncScreen)
        table = screen.query_one(DataTable)
        assert (proposed, only_here, only_there) == (180, 120, 60)
        assert table.row_count == 150
        text = screen_text(app)
        assert "base tui: linked 0" in text and "360 rows to settle" in text
        assert "the first 50 of each kind shown" in text
        first = [table.get_row_at(n) for n in range(table.row_count)]
        assert [r[0] for r in first].count("Proposed") == 50
        assert any("(1С)" in str(r[4]) for r in first)  # a name that differs, shown
        assert count(demo_db, OnecLink) == 0  # the comparison wrote nothing

        await pilot.press("ctrl+end")  # the last row: only in 1C
        await pilot.press("space")  # skip → create in qstui
        await pilot.press("a")  # … for every row only in 1C, the hidden ones too
        await pilot.pause()
        actions = [table.get_row_at(n)[-1] for n in range(table.row_count)]
        assert actions.count("create in qstui") == 50
        assert actions.count("link") == 50

        await pilot.press("ctrl+s")
        await settle(pilot, app)
        bar = screen.query_one(ProgressBar)
        assert bar.total is not None and bar.progress == bar.total
        assert count(demo_db, OnecLink) == proposed + only_there
        assert count(demo_db, Company) == companies + only_there
        text = screen_text(app)
        assert f"Done: linked {proposed}, created in qstui {only_there}" in text
        assert f"linked {proposed + only_there}" in text
        assert table.row_count == 50  # what is left: only in qstui, skipped


async def test_a_broken_sync_is_on_screen_and_in_the_journal_and_the_next_completes(
    demo_db: Database, sim: Simulator, simulated: SeedSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80×24: 1C drops the connection halfway through creating products there → the
    error on screen, nothing written in qstui, the failed run in red in «1C: exchange
    journal» with its log; the next run completes and is listed above it."""
    monkeypatch.setattr(onec_sync, "SHOWN", 5)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        await open_palette(pilot, app, "sync nomenclature")
        await choose(pilot, app, "1C: sync nomenclature")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, OnecSyncScreen)
        table = screen.query_one(DataTable)
        categories = [str(table.get_row_at(n)[0]) for n in range(table.row_count)]
        table.move_cursor(row=categories.index("Only in qstui"))
        await pilot.press("space")  # skip → create in 1C
        await pilot.press("a")  # … for every product only in qstui
        await pilot.pause()
        before = count(demo_db, Product), count(demo_db, OnecLink)
        their = len(sim.store.rows("Catalog_Номенклатура"))
        sim.faults.fail_after(2, DROP, methods=["POST"])  # the third product made in 1C

        await pilot.press("ctrl+s")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ErrorDialog) and "Nothing was changed in qstui" in dialog.message
        await pilot.press("escape")
        assert (
            app.screen is screen and (count(demo_db, Product), count(demo_db, OnecLink)) == before
        )
        assert len(sim.store.rows("Catalog_Номенклатура")) == their + 2

        await open_palette(pilot, app, "exchange journal")
        await choose(pilot, app, "1C: exchange journal")
        await settle(pilot, app)
        journal = app.screen
        assert isinstance(journal, OnecJournalScreen)
        runs = journal.query_one(DataTable)
        failed = runs.get_row_at(0)
        assert str(failed[2]) == "nomenclature" and str(failed[4]) == "run failed"
        assert failed[4].style == ALERT and "Nothing was changed" in str(failed[9])
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, OnecRunLogScreen)
        text = " ".join(screen_text(app).split())  # the error, wrapped at 80 columns
        assert "run failed" in text and "while creating «" in text
        assert "2 objects had been written in 1C before" in text
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        assert app.screen is screen

        sim.faults.clear()
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        # the two made in 1C before the drop are found by their articles and linked
        text = " ".join(screen_text(app).split())
        proposed = len(simulated.products_same + simulated.products_other_name)
        made = len(simulated.products_only_here) - 2
        assert f"Done: linked {proposed + 2}, created in qstui 0, created in 1C {made}," in text
        assert count(demo_db, Product) == before[0] and count(demo_db, OnecLink) > before[1]
        await open_palette(pilot, app, "exchange journal")
        await choose(pilot, app, "1C: exchange journal")
        await settle(pilot, app)
        runs = app.screen.query_one(DataTable)
        assert [str(runs.get_row_at(n)[4]) for n in range(2)] == ["done", "run failed"]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, OnecRunLogScreen) and "done" in screen_text(app)
        log = app.screen.query_one(DataTable)
        messages = [str(log.get_row_at(n)[2]) for n in range(log.row_count)]
        assert len(messages) == proposed + 2 + made
        assert sum(m.startswith("Created in 1C: «") for m in messages) == made


async def test_x_cancels_a_running_sync_and_nothing_is_written(
    demo_db: Database, sim: Simulator, simulated: SeedSummary
) -> None:
    """1C holds its answer (the simulator's store locked) while the user presses x: the
    run stops before its commit, says so, and is in the journal as failed."""
    before = count(demo_db, Company), count(demo_db, OnecLink)
    runs = len(list_runs(Context.system(demo_db), limit=1000))
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "admin")
        await open_palette(pilot, app, "sync counterparties")
        await choose(pilot, app, "1C: sync counterparties")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, OnecSyncScreen)
        with sim.store.lock:  # 1C does not answer yet
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert screen.running
            await pilot.press("x")
            await pilot.pause()
            assert "Cancelling…" in screen_text(app)
        await settle(pilot, app)
        assert not screen.running
        text = " ".join(screen_text(app).split())
        assert "was cancelled while reading 1C. Nothing was changed in qstui." in text
        assert (count(demo_db, Company), count(demo_db, OnecLink)) == before
        (run, *_older) = list_runs(Context.system(demo_db), limit=1000)
        assert len(_older) == runs and run.failed and "was cancelled" in run.error_text
