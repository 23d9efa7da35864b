"""Every CLI test keeps the token files of ``qstui login`` in a folder of its own: a
token saved by one test never proves a user in another."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("QSTUI_STATE_DIR", str(folder))
    return folder
