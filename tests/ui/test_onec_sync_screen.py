"""«1C: sync counterparties» from the command palette: the comparison table against the
simulator on loopback, a choice for a whole kind of rows, the run in a worker with its
progress bar and summary. Both backends (the ``demo_db`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.ui.conftest import LARGE, log_in, make_app, screen_text, settle
from tests.ui.test_palette import choose, open_palette, shown_texts
from textual.widgets import DataTable, ProgressBar

from qstui.db.engine import Database
from qstui.db.models import Company, OnecLink
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedSummary, seed
from qstui.screens import onec_sync
from qstui.screens.onec_sync import OnecSyncScreen
from qstui.services.context import Context
from qstui.services.onec import bases
from qstui.services.onec.simulator_seed import seed_records

PASSWORD = "Пароль-1С-tui"


@pytest.fixture
def simulated(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SeedSummary]:
    system = Context.system(demo_db)
    store = Store("bp30")
    summary = seed(store, *seed_records(system))
    monkeypatch.setenv("QSTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("QSTUI_ONEC_TUI_PASSWORD", PASSWORD)
    with Simulator(store, user="Администратор", password=PASSWORD) as sim:
        bases.add_base(system, "tui", sim.url, "bp30", "Администратор")
        yield summary


def count(db: Database, model: type) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


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
