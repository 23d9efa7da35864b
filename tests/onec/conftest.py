"""A simulated 1C base on loopback (a real HTTP server) and a client of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qstui.onec.odata import ODataClient
from qstui.onec.simulator import Simulator, Store
from qstui.onec.simulator.seed import SeedSummary, built_in, seed

USER = "Администратор"
PASSWORD = "Секрет 1С: x+y"


@pytest.fixture
def store() -> Store:
    return Store("bp30")


@pytest.fixture
def seeded(store: Store) -> SeedSummary:
    return seed(store, *built_in())


@pytest.fixture
def simulator(store: Store) -> Iterator[Simulator]:
    with Simulator(store, user=USER, password=PASSWORD) as sim:
        yield sim


@pytest.fixture
def client(simulator: Simulator) -> Iterator[ODataClient]:
    waits: list[float] = []
    with ODataClient(
        simulator.url, USER, PASSWORD, timeout=5, retries=2, backoff=0.25, sleep=waits.append
    ) as c:
        c.waits = waits  # type: ignore[attr-defined]
        yield c
