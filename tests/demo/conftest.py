"""The demo tests run with the clock frozen (tests/conftest.py ``frozen_clock``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module", autouse=True)
def _frozen_clock(frozen_clock: object) -> None:
    """Every demo module runs at the frozen moment."""
